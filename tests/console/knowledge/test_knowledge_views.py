"""Knowledge pages through Django's test client, against the local gateway."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient, Client

from apps.audit.models import AuditEvent

from .conftest import unique

pytestmark = pytest.mark.django_db


def upload_posts(localgateway) -> list[dict]:
    return [r for r in localgateway.requests_seen() if r["path"].endswith("/files/upload") and r["method"] == "POST"]


# --- the folder tree -------------------------------------------------------------------


def test_list_shows_the_tree_to_a_viewer_without_the_create_form(console_client, make_folder):
    top = make_folder(unique("Tree top"))
    child = make_folder(unique("Tree child"), parent=top["id"])
    response = console_client.as_role("Viewer").get("/knowledge/")
    html = response.content.decode()
    assert response.status_code == 200
    assert top["name"] in html and child["name"] in html
    # the child is nested in its parent's list item
    after_top = html.split(top["name"], 1)[1]
    assert child["name"] in after_top.split("</li>", 1)[0] or after_top.index(child["name"]) < after_top.index("</ul>")
    assert 'action="/knowledge/folders/new/"' not in html
    assert "New folder" not in html


def test_list_offers_the_create_form_to_an_operator(console_client):
    html = console_client.get("/knowledge/").content.decode()
    assert 'action="/knowledge/folders/new/"' in html
    assert '<option value="root" selected>(top level)</option>' in html


def test_search_folders_by_name_htmx_partial(console_client, make_folder):
    marker = uuid.uuid4().hex[:8]
    found = make_folder(f"Pricing {marker}")
    make_folder(unique("Unrelated"))
    response = console_client.get("/knowledge/", {"q": f"pricing {marker}"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.count('data-testid="folder-result"') == 1
    assert f"/knowledge/folders/{found['id']}/" in html
    empty = console_client.get("/knowledge/", {"q": f"nothing-{marker}"}).content.decode()
    assert 'data-testid="folders-empty"' in empty


def test_create_folder_inside_another(console_client, make_folder, gw):
    parent = make_folder()
    name = unique("Sub")
    response = console_client.post("/knowledge/folders/new/", {"name": name, "parent": parent["id"]})
    assert response.status_code == 302
    folder_id = response.url.rstrip("/").rsplit("/", 1)[1]
    folder = gw.get(f"/data-board/folders/{folder_id}").json()["data"]["folder"]
    assert folder["name"] == name
    assert folder["parent_folder_id"] == parent["id"]
    assert AuditEvent.objects.filter(action="folder.create", target_id=folder_id, outcome="success").exists()


def test_new_subfolder_page_preselects_the_parent(console_client, make_folder):
    parent = make_folder(unique("Parent"))
    html = console_client.get("/knowledge/folders/new/", {"parent": parent["id"]}).content.decode()
    assert f'<option value="{parent["id"]}" selected>/{parent["name"]}</option>' in html


def test_create_folder_with_a_bad_name_keeps_the_input(console_client):
    response = console_client.post("/knowledge/folders/new/", {"name": "a/b", "parent": "root", "description": "kept"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "cannot contain" in html
    assert 'value="a/b"' in html
    assert 'value="kept"' in html


def test_create_folder_with_a_bad_name_keeps_the_chosen_parent(console_client, make_folder):
    parent = make_folder(unique("Kept parent"))
    response = console_client.post("/knowledge/folders/new/", {"name": "a/b", "parent": parent["id"]})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<option value="{parent["id"]}" selected>/{parent["name"]}</option>' in html
    assert '<option value="root" selected>' not in html


def test_create_folder_inside_an_unknown_folder_marks_the_choice(console_client):
    response = console_client.post("/knowledge/folders/new/", {"name": "Lost", "parent": "no-such-folder"})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<select name="parent" id="id_parent" aria-invalid="true">' in html
    assert "Select a valid choice." in html
    assert 'value="Lost"' in html


def test_create_folder_needs_an_operator(console_client):
    response = console_client.as_role("Support").post("/knowledge/folders/new/", {"name": "x", "parent": "root"})
    assert response.status_code == 403


def test_create_folder_gateway_failure_is_shown_beside_the_form(console_client, gateway_faults):
    gateway_faults.add_fault(path="/data-board/folders", method="POST", kind="status", status=500)
    response = console_client.post("/knowledge/folders/new/", {"name": "Survives", "parent": "root"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Injected fault" in html
    assert 'value="Survives"' in html
    assert "Traceback" not in html


# --- a folder page ---------------------------------------------------------------------


def test_folder_page_lists_files_and_subfolders(console_client, make_folder, put_file):
    folder = make_folder(unique("Docs"), description="Customer-facing docs")
    sub = make_folder("Policies", parent=folder["id"])
    file = put_file(folder["id"], "returns.md", b"# Returns\n" * 100, "text/markdown")
    put_file(sub["id"], "hidden-in-sub.txt")
    html = console_client.as_role("Viewer").get(f"/knowledge/folders/{folder['id']}/").content.decode()
    assert folder["name"] in html and "Customer-facing docs" in html
    assert html.count('data-testid="file-row"') == 1
    assert "returns.md" in html and "hidden-in-sub.txt" not in html
    assert ">MD<" in html
    assert "1000\xa0bytes" in html or "1000 bytes" in html
    assert "Dana" in html
    assert f"/knowledge/files/{file['id']}/download/" in html
    assert f"/knowledge/folders/{sub['id']}/" in html
    # a Viewer neither uploads nor deletes
    assert 'id="upload-form"' not in html
    assert f"/knowledge/files/{file['id']}/delete/" not in html
    assert "Rename" not in html


def test_folder_page_for_support_has_the_upload_form_with_limits(console_client, make_folder, settings):
    settings.KNOWLEDGE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = ["pdf", "md"]
    folder = make_folder()
    html = console_client.as_role("Support").get(f"/knowledge/folders/{folder['id']}/").content.decode()
    assert 'id="upload-form"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'data-max-bytes="5242880"' in html
    assert 'accept=".md,.pdf"' in html
    assert "5.0\xa0MB" in html or "5.0 MB" in html
    assert "Delete folder" not in html


def test_folder_page_delete_confirmation_counts_what_goes(console_client, make_folder, put_file):
    folder = make_folder(unique("Doomed"))
    sub = make_folder(parent=folder["id"])
    make_folder(parent=sub["id"])
    put_file(folder["id"])
    put_file(sub["id"])
    put_file(sub["id"], "more.txt")
    html = console_client.get(f"/knowledge/folders/{folder['id']}/").content.decode()
    assert "with 3 files and 2 subfolders inside it" in html
    page = console_client.get(f"/knowledge/folders/{folder['id']}/delete/").content.decode()
    assert "with 3 files and 2 subfolders inside it" in page


def test_unknown_folder_is_a_404_page(console_client):
    response = console_client.get(f"/knowledge/folders/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()


def test_files_partial_for_htmx_refresh(console_client, make_folder, put_file):
    folder = make_folder()
    put_file(folder["id"], "fresh.txt")
    response = console_client.get(f"/knowledge/folders/{folder['id']}/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "fresh.txt" in html
    assert 'id="upload-form"' not in html


# --- rename and delete -----------------------------------------------------------------


def test_rename_in_place_with_htmx(console_client, make_folder, gw):
    folder = make_folder()
    form = console_client.get(f"/knowledge/folders/{folder['id']}/rename/", headers={"HX-Request": "true"})
    assert f'value="{folder["name"]}"' in form.content.decode()
    assert "<html" not in form.content.decode()
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/rename/", {"name": "  Fresh   name "}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 data-testid="folder-name">Fresh name</h1>' in html
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "Renamed to “Fresh name”."
    assert gw.get(f"/data-board/folders/{folder['id']}").json()["data"]["folder"]["name"] == "Fresh name"


def test_rename_without_js_and_with_errors(console_client, make_folder):
    folder = make_folder()
    bad = console_client.post(f"/knowledge/folders/{folder['id']}/rename/", {"name": "   "})
    assert bad.status_code == 400
    assert "Give the folder a name." in bad.content.decode()
    good = console_client.post(f"/knowledge/folders/{folder['id']}/rename/", {"name": "Plain rename"})
    assert good.status_code == 302
    assert good.url == f"/knowledge/folders/{folder['id']}/"


def test_delete_folder_with_htmx_goes_to_the_parent(console_client, make_folder, gw):
    parent = make_folder()
    folder = make_folder(parent=parent["id"])
    response = console_client.post(f"/knowledge/folders/{folder['id']}/delete/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"/knowledge/folders/{parent['id']}/"
    assert gw.get(f"/data-board/folders/{folder['id']}").status_code == 404
    top = make_folder()
    plain = console_client.post(f"/knowledge/folders/{top['id']}/delete/")
    assert plain.status_code == 302 and plain.url == "/knowledge/"


def test_delete_file_htmx_and_roles(console_client, make_folder, put_file, gw):
    folder = make_folder()
    file = put_file(folder["id"], "bye.txt")
    support = console_client.as_role("Support")
    assert support.post(f"/knowledge/files/{file['id']}/delete/").status_code == 403
    operator = console_client.as_role("Operator")
    confirm = operator.get(f"/knowledge/files/{file['id']}/delete/").content.decode()
    assert "Delete “bye.txt”" in confirm
    response = operator.post(f"/knowledge/files/{file['id']}/delete/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content == b""
    assert "bye.txt" in json.loads(response["HX-Trigger"])["toast"]["message"]
    assert gw.get(f"/data-board/files/{file['id']}").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_download_streams_the_file(make_folder, put_file, console_user):
    folder = make_folder()
    content = bytes(range(256)) * 400
    file = put_file(folder["id"], "résumé data.bin", content, "application/octet-stream")
    client = AsyncClient()
    await client.aforce_login(await sync_to_async(console_user)("Viewer", username=f"dl-{uuid.uuid4().hex[:6]}"))
    response = await client.get(f"/knowledge/files/{file['id']}/download/")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join([chunk async for chunk in response.streaming_content]) == content
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "r%C3%A9sum%C3%A9%20data.bin" in response["Content-Disposition"]


# --- uploads ---------------------------------------------------------------------------


def test_upload_one_file_per_request_answers_json(console_client, make_folder, gw):
    folder = make_folder()
    support = console_client.as_role("Support")
    response = support.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("faq.md", b"# FAQ\n", content_type="text/markdown")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201
    [result] = response.json()["results"]
    assert result["ok"] is True and result["name"] == "faq.md"
    stored = gw.get(f"/data-board/files/{result['file_id']}").json()["data"]
    assert stored["folder_id"] == folder["id"]
    assert stored["file_type"] == "text/markdown"
    assert stored["last_updated_by_display_name"].startswith("support-")


def test_upload_a_raw_file_body_as_the_script_does(console_client, make_folder, gw):
    folder = make_folder()
    content = "Prix: 29 €\n".encode() * 5000
    response = console_client.as_role("Support").post(
        f"/knowledge/folders/{folder['id']}/upload/",
        data=content,
        content_type="application/octet-stream",
        headers={
            "X-File-Name": "tarifs%20d%C3%A9t%C3%A9.txt",
            "X-File-Type": "text/plain",
            "Accept": "application/json",
        },
    )
    assert response.status_code == 201, response.content
    [result] = response.json()["results"]
    assert result["name"] == "tarifs d\u00e9t\u00e9.txt"
    stored = gw.get(f"/data-board/files/{result['file_id']}").json()["data"]
    assert stored["file_size"] == len(content)
    assert stored["file_type"] == "text/plain"
    assert gw.get(f"/data-board/files/{result['file_id']}/download").content == content


def test_raw_uploads_are_checked_against_the_limits(console_client, make_folder, settings, localgateway):
    settings.KNOWLEDGE_UPLOAD_MAX_BYTES = 100
    settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = ["txt"]
    folder = make_folder()
    before = len(upload_posts(localgateway))
    url = f"/knowledge/folders/{folder['id']}/upload/"
    big = console_client.post(
        url, data=b"x" * 101, content_type="text/plain", headers={"X-File-Name": "a.txt", "Accept": "application/json"}
    )
    assert big.status_code == 413
    assert big.json()["results"][0]["message"] == "Larger than the 100\xa0bytes limit."
    exe = console_client.post(
        url, data=b"MZ", content_type="application/octet-stream", headers={"X-File-Name": "../../x.exe"}
    )
    assert exe.status_code == 415
    assert "x.exe" in exe.content.decode() and ".exe files are not accepted" in exe.content.decode()
    assert len(upload_posts(localgateway)) == before


@pytest.fixture
def no_disk_copies(monkeypatch):
    """Fail if the form is parsed into temporary files (the path for forms without a header token)."""
    from apps.knowledge.uploads import KnowledgeUploadHandler

    def refuse(*args, **kwargs):
        raise AssertionError("the file was copied to a temporary file")

    monkeypatch.setattr(KnowledgeUploadHandler, "new_file", refuse)


def test_multipart_with_a_header_token_is_passed_on_while_parsing(console_client, make_folder, gw, no_disk_copies):
    folder = make_folder()
    big = bytes(range(256)) * 20_000  # several parser chunks
    response = console_client.as_role("Support").post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": [SimpleUploadedFile("one.csv", big, "text/csv"), SimpleUploadedFile("two.md", b"# two")]},
        headers={"X-CSRFToken": "checked-by-the-probe", "Accept": "application/json"},
    )
    assert response.status_code == 201, response.content
    results = response.json()["results"]
    assert [(r["name"], r["ok"]) for r in results] == [("one.csv", True), ("two.md", True)]
    stored = gw.get(f"/data-board/files/{results[0]['file_id']}").json()["data"]
    assert stored["file_size"] == len(big)
    assert stored["file_type"] == "text/csv"
    assert gw.get(f"/data-board/files/{results[0]['file_id']}/download").content == big
    event = AuditEvent.objects.get(action="file.upload", target_id=results[0]["file_id"])
    assert event.changes["new"]["size"] == len(big)


def test_passing_on_stops_a_file_that_grows_over_the_limit(console_client, make_folder, gw, settings, no_disk_copies):
    settings.KNOWLEDGE_UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    folder = make_folder()
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": [SimpleUploadedFile("big.txt", b"x" * (5 * 1024 * 1024)), SimpleUploadedFile("ok.txt", b"ok")]},
        headers={"X-CSRFToken": "t", "Accept": "application/json"},
    )
    assert response.status_code == 413
    results = response.json()["results"]
    assert [(r["name"], r["ok"], r["status"]) for r in results] == [("big.txt", False, 413), ("ok.txt", True, 201)]
    names = [row["name"] for row in gw.get("/data-board/files", params={"folder_id": folder["id"]}).json()["data"]]
    assert names == ["ok.txt"]


def test_passing_on_reports_a_gateway_failure(console_client, make_folder, gateway_faults, no_disk_copies):
    folder = make_folder()
    gateway_faults.add_fault(path="/data-board/files/upload", kind="status", status=503)
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"a" * (3 * 1024 * 1024))},
        headers={"X-CSRFToken": "t", "Accept": "application/json"},
    )
    assert response.status_code == 502
    assert "unavailable" in response.json()["results"][0]["message"]


def test_passing_on_into_a_missing_folder(console_client, no_disk_copies):
    response = console_client.post(
        f"/knowledge/folders/{uuid.uuid4()}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"a" * (3 * 1024 * 1024))},
        headers={"X-CSRFToken": "t", "Accept": "application/json"},
    )
    assert response.status_code == 404
    assert response.json()["results"][0]["ok"] is False


def test_upload_several_files_without_js_redirects_back(console_client, make_folder, gw):
    folder = make_folder()
    files = [SimpleUploadedFile(f"doc{i}.txt", f"doc {i}".encode()) for i in range(3)]
    response = console_client.post(f"/knowledge/folders/{folder['id']}/upload/", {"file": files})
    assert response.status_code == 302
    assert response.url == f"/knowledge/folders/{folder['id']}/"
    names = {row["name"] for row in gw.get("/data-board/files", params={"folder_id": folder["id"]}).json()["data"]}
    assert names == {"doc0.txt", "doc1.txt", "doc2.txt"}


def test_oversized_file_is_refused_with_413_before_reaching_the_gateway(
    console_client, make_folder, settings, localgateway
):
    settings.KNOWLEDGE_UPLOAD_MAX_BYTES = 1024
    folder = make_folder()
    before = len(upload_posts(localgateway))
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("huge.txt", b"x" * 5000)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    [result] = response.json()["results"]
    assert result == {
        "name": "huge.txt",
        "ok": False,
        "message": "Larger than the 1.0\xa0KB limit.",
        "status": 413,
        "file_id": "",
    }
    page = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": [SimpleUploadedFile("huge.txt", b"x" * 5000), SimpleUploadedFile("ok.txt", b"fine")]},
    )
    html = page.content.decode()
    assert page.status_code == 413
    assert "Failed: Larger than the 1.0" in html
    assert "ok.txt" in html and "Uploaded" in html
    # only ok.txt went to the gateway
    assert len(upload_posts(localgateway)) == before + 1


def test_refused_type_is_415(console_client, make_folder, settings):
    settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = ["pdf", "txt"]
    folder = make_folder()
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("run.exe", b"MZ")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 415
    assert response.json()["results"][0]["message"] == ".exe files are not accepted. Allowed: pdf, txt."


def test_too_many_files_in_one_request(console_client, make_folder, settings):
    settings.KNOWLEDGE_UPLOAD_MAX_FILES = 2
    folder = make_folder()
    files = [SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(3)]
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/", {"file": files}, headers={"Accept": "application/json"}
    )
    results = response.json()["results"]
    assert response.status_code == 413
    assert [(r["name"], r["ok"]) for r in results] == [("f2.txt", False), ("f0.txt", True), ("f1.txt", True)]


def test_upload_checks_csrf_itself(make_folder, console_user):
    folder = make_folder()
    client = Client(enforce_csrf_checks=True)
    client.force_login(console_user("Support", username=f"csrf-{uuid.uuid4().hex[:6]}"))
    response = client.post(f"/knowledge/folders/{folder['id']}/upload/", {"file": SimpleUploadedFile("a.txt", b"a")})
    assert response.status_code == 403
    wrong = client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"a")},
        headers={"X-CSRFToken": "not-the-token"},
    )
    assert wrong.status_code == 403
    client.get(f"/knowledge/folders/{folder['id']}/")
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"a")},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert allowed.status_code == 201


def test_malformed_form_data_is_a_readable_400(console_client, make_folder):
    folder = make_folder()
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        data=b"not really a form",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["results"][0]["message"].startswith("The upload could not be read")


def test_viewer_cannot_upload(console_client, make_folder):
    folder = make_folder()
    response = console_client.as_role("Viewer").post(
        f"/knowledge/folders/{folder['id']}/upload/", {"file": SimpleUploadedFile("a.txt", b"a")}
    )
    assert response.status_code == 403


def test_gateway_failure_during_upload_is_reported_per_file(console_client, make_folder, gateway_faults):
    folder = make_folder()
    gateway_faults.add_fault(path="/data-board/files/upload", kind="status", status=503)
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"a")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 502
    result = response.json()["results"][0]
    assert result["ok"] is False
    assert "unavailable" in result["message"]
    page = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/", {"file": SimpleUploadedFile("b.txt", b"b")}
    )
    assert page.status_code == 502
    assert "Failed: The Imbrace gateway is unavailable" in page.content.decode()


def test_upload_with_no_file_says_so(console_client, make_folder):
    folder = make_folder()
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/upload/", {}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["results"][0]["message"] == "Choose at least one file to upload."


# --- assistants --------------------------------------------------------------------------


def test_assistants_panel_attach_and_detach(console_client, make_folder, gw):
    folder = make_folder()
    created = gw.post(
        "/v3/ai/assistant_apps", json={"name": unique("Panel bot"), "workflow_name": f"kh_{uuid.uuid4().hex[:10]}"}
    )
    created.raise_for_status()
    assistant = created.json()
    url = f"/knowledge/folders/{folder['id']}/assistants/"

    viewer_panel = console_client.as_role("Viewer").get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="folder-assistants-empty"' in viewer_panel
    assert "Attach" not in viewer_panel
    assert console_client.post(url, {"assistant_id": assistant["id"], "attach": "1"}).status_code == 403

    operator = console_client.as_role("Operator")
    attached = operator.post(url, {"assistant_id": assistant["id"], "attach": "1"}, headers={"HX-Request": "true"})
    html = attached.content.decode()
    assert attached.status_code == 200
    assert 'data-testid="folder-assistant"' in html and assistant["name"] in html
    assert folder["id"] in gw.get(f"/v3/ai/assistants/{assistant['id']}").json()["folder_ids"]

    detached = operator.post(url, {"assistant_id": assistant["id"], "attach": "0"})
    assert detached.status_code == 302
    assert folder["id"] not in gw.get(f"/v3/ai/assistants/{assistant['id']}").json()["folder_ids"]


def test_assistants_panel_reports_an_unknown_assistant(console_client, make_folder):
    folder = make_folder()
    response = console_client.post(
        f"/knowledge/folders/{folder['id']}/assistants/",
        {"assistant_id": "missing-assistant", "attach": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()
