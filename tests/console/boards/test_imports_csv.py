"""CSV files the csv module cannot read: a message naming the line and why, the upload kept on its
job, and a corrected file that replaces it without losing the mapping (issue 20, finding 4)."""

from __future__ import annotations

import codecs

import pytest
from django.core.files.storage import default_storage

from apps.boards import imports
from apps.boards.models import ImportJob

from .conftest import ids
from .imports_support import run_worker, upload


def htmx(target: str) -> dict:
    return {"HX-Request": "true", "HX-Target": target}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


BIG = "x" * (128 * 1024 + 1)
BAD_FILES = {
    # name: (file bytes, line named, words of the reason)
    "lone CR in an unquoted value": (b"Name,Stage\nAcme,Lead\nBeta\rCorp,Won\n", 3, "line break inside a value"),
    "value over 128 KiB": (f"Name,Stage\nAcme,Lead\nBeta,{BIG}\n".encode(), 3, "longer than 131,072 characters"),
    "quote never closed": (b'Name,Stage\nAcme,Lead\n"Beta,Won\nGamma,Lead\n', 3, "never closed"),
    "text after a closing quote": (b'Name,Stage\nAcme,Lead\n"Beta"x,Won\n', 3, "followed by text"),
    "NUL bytes": (b"Name,Stage\nAcme,Lead\nBe\x00ta,Won\n", 3, "NUL byte"),
    "broken UTF-8": ("Name,Stage\nCafé,Lead\n".encode() + b"Bad\xff,Won\n", 3, "not valid UTF-8"),
    "neither UTF-8 nor Windows-1252": (b"Name,Stage\nAcme,Lead\nBe\x81ta,Won\n", 3, "neither UTF-8 nor Windows-1252"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_unreadable_file_names_the_line_and_reason(case):
    raw, line, words = BAD_FILES[case]
    with pytest.raises(imports.ImportFileError) as caught:
        imports.read_csv(raw)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"Line {line}: ") and words in str(caught.value)


def test_files_that_are_readable():
    crlf = imports.read_csv(b"Name;Stage\r\nAcme;Lead\r\n\r\nBeta;Won\r\n")
    assert crlf.columns == ["Name", "Stage"] and crlf.rows == [["Acme", "Lead"], ["Beta", "Won"]]
    assert crlf.lines == [2, 4], "the empty line is skipped, the line numbers stay the file's"
    mac = imports.read_csv(b"Name,Stage\rAcme,Lead\rBeta,Won\r")
    assert mac.rows == [["Acme", "Lead"], ["Beta", "Won"]]
    quoted = imports.read_csv(b'Name,Notes\n"Acme","two\nlines"\nBeta,x\n')
    assert quoted.rows == [["Acme", "two\nlines"], ["Beta", "x"]] and quoted.lines == [2, 4]
    windows = imports.read_csv("Name\nCafé Müller\n".encode("cp1252"))
    assert windows.rows == [["Café Müller"]] and windows.encoding == "Windows-1252"
    utf16 = imports.read_csv(codecs.BOM_UTF16_LE + "Name\tStage\nÅsa\tLead\n".encode("utf-16-le"))
    assert utf16.rows == [["Åsa", "Lead"]] and utf16.encoding == "UTF-16"
    bom = imports.read_csv(codecs.BOM_UTF8 + b"Name\nAcme\n")
    assert bom.columns == ["Name"]


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_upload_shows_the_message_keeps_the_file_and_takes_the_corrected_one(console_client, board, case):
    raw, line, words = BAD_FILES[case]
    support = console_client.as_role("Support")
    response = upload(support, board, raw, name="leads.csv")
    page = response.content.decode()
    assert response.status_code == 422 and "Traceback" not in page
    assert f"Line {line}: " in page and words in page.replace("&#x27;", "'")
    job = ImportJob.objects.get(board_id=board["id"])
    assert job.status == ImportJob.Status.INVALID and default_storage.exists(job.file.name)
    with default_storage.open(job.file.name) as kept:
        assert kept.read() == raw
    assert f'name="job" value="{job.pk}"' in page and "is kept with this import" in page

    fixed = upload(support, board, "Name,Stage\nAcme,Lead\nBeta,Won\n", job=str(job.pk))
    assert fixed.status_code == 302 and str(job.pk) in fixed.url, "the corrected file goes on the same job"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED and job.total_rows == 2 and job.message == ""
    assert ImportJob.objects.filter(board_id=board["id"]).count() == 1
    assert "2 rows in the file" in support.get(fixed.url).content.decode()


def test_job_page_opens_for_an_unreadable_upload(console_client, board):
    support = console_client.as_role("Support")
    upload(support, board, b"Name\nA\x00\n")
    job = ImportJob.objects.get(board_id=board["id"])
    page = support.get(f"/boards/{board['id']}/import/{job.pk}/").content.decode()
    assert "Line 2: " in page and "Upload a corrected file" in page


def test_corrected_file_on_a_checked_job_keeps_the_mapping(console_client, board):
    support = console_client.as_role("Support")
    map_url = upload(support, board, "Company,Phase,Deal\nAcme,Lead,5\n").url
    name, stage, amount = ids(board)["Name"], ids(board)["Stage"], ids(board)["Amount"]
    checked = support.post(map_url, {"column_0": name, "column_1": stage, "column_2": amount}, headers=htmx("x"))
    assert 'data-testid="will-create">1<' in checked.content.decode()
    job = ImportJob.objects.get(board_id=board["id"])
    first_file = job.file.name

    broken = support.post(map_url, {"file": _file(b'Company,Phase,Deal\n"Acme,Lead,5\n')})
    page = broken.content.decode()
    assert broken.status_code == 422 and "Line 2: " in page and "never closed" in page
    assert 'id="corrected-file-error"' in page and "Map columns to fields" in page
    job.refresh_from_db()
    assert job.file.name == first_file and job.mapping == {"0": name, "1": stage, "2": amount}

    # Columns moved and one added: each keeps its field by name.
    fixed = support.post(map_url, {"file": _file(b"Deal,Notes,Company,Phase\n5,x,Acme,Lead\n7,y,Beta,Won\n")})
    assert fixed.status_code == 302 and fixed.url == map_url
    job.refresh_from_db()
    assert job.mapping == {"0": amount, "2": name, "3": stage} and job.total_rows == 2
    assert job.status == ImportJob.Status.UPLOADED, "the new rows must be checked again"
    assert not default_storage.exists(first_file)
    page = support.get(map_url).content.decode()
    assert f'<option value="{name}" selected>' in page


def test_after_an_import_a_corrected_file_starts_a_new_job_with_the_mapping(console_client, board):
    support = console_client.as_role("Support")
    map_url = upload(support, board, "Company\nAcme\n,\n").url
    support.post(map_url, {"column_0": ids(board)["Name"]}, headers=htmx("import-check"))
    support.post(map_url + "run/")
    run_worker()
    done = support.get(map_url).content.decode()
    assert "Import another file with this mapping" in done
    refused = support.post(map_url, {"file": _file(b"Company\n\x00\n")})
    assert refused.status_code == 422 and "NUL byte" in refused.content.decode()
    again = support.post(map_url, {"file": _file(b"Company\nBeta\n")})
    assert again.status_code == 302 and again.url != map_url
    new = ImportJob.objects.get(pk=again.url.rstrip("/").rsplit("/", 1)[-1])
    assert new.mapping == {"0": ids(board)["Name"]} and new.status == ImportJob.Status.UPLOADED


def _file(raw: bytes, name: str = "fixed.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, raw, content_type="text/csv")
