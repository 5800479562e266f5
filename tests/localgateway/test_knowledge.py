"""Knowledge Hub folders and files of the local gateway, against docs/contract/data-board.md#knowledge-folders."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from localgateway import db
from localgateway.config import load
from localgateway.domains import knowledge


def _name(prefix: str = "Folder") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def _org(gw) -> str:
    return gw.get("/platform/v1/account").json()["organization_id"]


def _create(gw, name: str | None = None, parent: str = "root", **extra) -> dict:
    body = {"name": name or _name(), "organization_id": _org(gw), "parent_folder_id": parent, "source_type": "upload"}
    response = gw.post("/data-board/folders", json={**body, **extra})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _upload(gw, folder_id: str, files: list[tuple[str, bytes, str]], **fields) -> httpx.Response:
    parts = [("file", (name, content, ctype)) for name, content, ctype in files]
    return gw.post("/data-board/files/upload", files=parts, data={"folder_id": folder_id, **fields})


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose page draws ``text`` (enough for pypdf to extract it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --- folders ---------------------------------------------------------------------------


def test_create_folder_at_root_and_inside(gw):
    name = _name("Contracts")
    folder = _create(gw, name, description="Signed contracts", tags=["legal"])
    assert folder["_id"] == folder["id"]
    uuid.UUID(folder["id"])
    assert folder["path"] == f"/{name}"
    assert folder["parent_folder_id"] == "root"
    assert folder["source_type"] == "upload"
    assert folder["file_count"] == 0
    assert folder["tags"] == ["legal"]
    assert folder["created_at"].endswith("Z")

    child = _create(gw, "2026", parent=folder["id"])
    assert child["path"] == f"/{name}/2026"
    assert child["parent_folder_id"] == folder["id"]


def test_create_folder_envelope_and_errors(gw):
    response = gw.post(
        "/data-board/folders", json={"name": _name(), "organization_id": _org(gw), "source_type": "upload"}
    )
    assert response.status_code == 500
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "50000"
    assert body["error"]["message"].startswith("Failed to create folder:")

    unknown_parent = gw.post(
        "/data-board/folders",
        json={"name": _name(), "organization_id": _org(gw), "parent_folder_id": str(uuid.uuid4()), "source_type": "x"},
    )
    assert unknown_parent.status_code == 500
    assert unknown_parent.json() == {"success": False, "error": {"message": "Internal server error"}}

    malformed = gw.post("/data-board/folders", content=b"{nope", headers={"content-type": "application/json"})
    assert malformed.status_code == 500


def test_create_folder_takes_the_organization_from_the_body(gw):
    other_org = f"org_{uuid.uuid4().hex}"
    name = _name("Elsewhere")
    response = gw.post(
        "/data-board/folders",
        json={"name": name, "organization_id": other_org, "parent_folder_id": "root", "source_type": "upload"},
    )
    assert response.status_code == 201
    assert response.json()["data"]["organization_id"] == other_org
    # listed only for that organization, not for the caller's
    names = {row["name"] for row in gw.get("/data-board/folders").json()["data"]}
    assert name not in names


def test_list_counts_files_recursively(gw):
    top = _create(gw)
    sub = _create(gw, parent=top["id"])
    assert _upload(gw, sub["id"], [("a.txt", b"alpha", "text/plain")]).status_code == 201
    assert _upload(gw, top["id"], [("b.txt", b"beta", "text/plain")]).status_code == 201
    body = gw.get("/data-board/folders", params={"ignore_assistant": "true"}).json()
    assert body["success"] is True
    assert body["message"] == "Folders retrieved successfully"
    rows = {row["id"]: row for row in body["data"]}
    assert rows[top["id"]]["file_count"] == 2
    assert rows[sub["id"]]["file_count"] == 1


def test_search_folders_is_a_case_insensitive_regex_over_name_description_and_tags(gw):
    marker = uuid.uuid4().hex[:10]
    by_name = _create(gw, f"Returns {marker}")
    by_description = _create(gw, _name(), description=f"all about {marker.upper()}")
    by_tag = _create(gw, _name(), tags=[f"tag-{marker}"])
    body = gw.get("/data-board/folders/search", params={"q": marker}).json()
    assert body["message"] == "Folders searched successfully"
    assert {row["id"] for row in body["data"]} == {by_name["id"], by_description["id"], by_tag["id"]}

    regex = gw.get("/data-board/folders/search", params={"q": f"^returns {marker}$"}).json()["data"]
    assert [row["id"] for row in regex] == [by_name["id"]]
    # the SDK's organization_id parameter is ignored
    same = gw.get("/data-board/folders/search", params={"q": marker, "organization_id": "org_other"}).json()["data"]
    assert len(same) == 3
    assert gw.get("/data-board/folders/search", params={"q": "(unclosed"}).status_code == 500


def test_get_folder_with_subfolders_and_recursive(gw):
    top = _create(gw)
    mid = _create(gw, parent=top["id"])
    deep = _create(gw, parent=mid["id"])
    body = gw.get(f"/data-board/folders/{top['id']}").json()
    assert body["message"] == "Folder retrieved successfully"
    assert body["data"]["folder"]["id"] == top["id"]
    assert [row["id"] for row in body["data"]["subfolders"]] == [mid["id"]]
    assert body["data"]["recursive"] is False
    recursive = gw.get(f"/data-board/folders/{top['id']}", params={"recursive": "true"}).json()["data"]
    assert {row["id"] for row in recursive["subfolders"]} == {mid["id"], deep["id"]}
    assert recursive["recursive"] is True

    missing = gw.get(f"/data-board/folders/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json() == {"success": False, "message": "Folder not found", "data": None}


def test_folder_contents_lists_files_and_subfolders(gw):
    top = _create(gw)
    sub = _create(gw, parent=top["id"])
    _upload(gw, top["id"], [("one.txt", b"1", "text/plain"), ("two.md", b"# two", "text/markdown")])
    _upload(gw, sub["id"], [("three.txt", b"3", "text/plain")])
    body = gw.get(f"/data-board/folders/{top['id']}/contents", params={"sortBy": "name", "sortOrder": "asc"}).json()
    data = body["data"]
    assert body["message"] == "Folder contents retrieved successfully"
    assert [row["name"] for row in data["files"]] == ["one.txt", "two.md"]
    assert all(row["presigned_url"].endswith(f"/files/{row['id']}/download") for row in data["files"])
    assert [row["id"] for row in data["subfolders"]] == [sub["id"]]
    assert data["pagination"]["file_count"] == 2
    assert data["pagination"]["total_recursive_file_count"] == 3
    assert data["search_query"] is None

    recursive = gw.get(f"/data-board/folders/{top['id']}/contents", params={"recursive": "true"}).json()["data"]
    assert {row["name"] for row in recursive["files"]} == {"one.txt", "two.md", "three.txt"}
    paged = gw.get(f"/data-board/folders/{top['id']}/contents", params={"limit": 1, "skip": 1}).json()["data"]
    assert len(paged["files"]) == 1
    assert paged["pagination"]["total_pages"] == 2
    assert gw.get(f"/data-board/folders/{uuid.uuid4()}/contents").status_code == 404


def test_rename_recomputes_only_the_folders_own_path(gw):
    top = _create(gw, "Old name")
    child = _create(gw, "Child", parent=top["id"])
    response = gw.put(f"/data-board/folders/{top['id']}", json={"name": "New name"})
    assert response.status_code == 200
    assert response.json()["message"] == "Folder updated successfully"
    assert response.json()["data"]["path"] == "/New name"
    kept = gw.get(f"/data-board/folders/{child['id']}").json()["data"]["folder"]
    assert kept["path"] == "/Old name/Child"
    assert gw.put(f"/data-board/folders/{uuid.uuid4()}", json={"name": "x"}).status_code == 404


def test_delete_folders_is_recursive_and_ignores_unknown_ids(gw):
    top = _create(gw)
    sub = _create(gw, parent=top["id"])
    uploaded = _upload(gw, sub["id"], [("gone.txt", b"bye", "text/plain")]).json()["data"]
    response = gw.post("/data-board/folders/delete", json={"ids": [top["id"], str(uuid.uuid4())]})
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "1 folders deleted successfully",
        "data": {"deletedCount": 1},
    }
    assert gw.get(f"/data-board/folders/{sub['id']}").status_code == 404
    assert gw.get(f"/data-board/files/{uploaded['id']}").status_code == 404

    empty = gw.post("/data-board/folders/delete", json={"ids": []})
    assert empty.status_code == 400
    assert empty.json() == {"success": False, "message": "ids array is required and must not be empty", "data": None}


def test_deleting_a_folder_unlinks_it_from_assistants(gw):
    top = _create(gw)
    sub = _create(gw, parent=top["id"])
    kept = _create(gw)
    created = gw.post(
        "/v3/ai/assistant_apps",
        json={
            "name": _name("Linked bot"),
            "workflow_name": f"kh_{uuid.uuid4().hex[:10]}",
            "folder_ids": [sub["id"], kept["id"]],
        },
    )
    created.raise_for_status()
    assistant_id = created.json()["id"]
    gw.post("/data-board/folders/delete", json={"ids": [top["id"]]}).raise_for_status()
    assert gw.get(f"/v3/ai/assistants/{assistant_id}").json()["folder_ids"] == [kept["id"]]


def test_subfolders_routes_validate_ids(gw):
    top = _create(gw)
    sub = _create(gw, parent=top["id"])
    one = gw.get(f"/data-board/folders/{top['id']}/subfolders").json()["data"]
    assert [row["id"] for row in one["subfolders"]] == [sub["id"]]
    assert one["total_subfolders"] == 1
    bad = gw.post("/data-board/folders/subfolders", json={"ids": ["not-an-id"]})
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("Invalid folder ID format")


def test_folder_sync_needs_a_boolean(gw):
    folder = _create(gw)
    assert gw.patch(f"/data-board/folders/{folder['id']}/sync", json={"is_sync_enabled": "yes"}).status_code == 400
    response = gw.patch(f"/data-board/folders/{folder['id']}/sync", json={"is_sync_enabled": True})
    assert response.json()["data"]["is_sync_enabled"] is True


# --- files -----------------------------------------------------------------------------


def test_upload_one_file(gw):
    folder = _create(gw)
    by = json.dumps({"display_name": "Dana", "email": "dana@example.com"})
    response = _upload(
        gw,
        folder["id"],
        [("guide.md", b"# Guide\n\nHello", "text/markdown")],
        tags='["docs","faq"]',
        remarks="first",
        last_updated_by=by,
        organization_id="org_ignored",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "1 file(s) uploaded successfully"
    file = body["data"]
    assert file["_id"] == file["id"]
    assert file["name"] == "guide.md"
    assert file["folder_id"] == folder["id"]
    assert file["file_type"] == "text/markdown"
    assert file["file_size"] == len(b"# Guide\n\nHello")
    assert file["tags"] == ["docs", "faq"]
    assert file["remarks"] == "first"
    assert file["organization_id"] == _org(gw)
    assert file["last_updated_by_display_name"] == "Dana"
    assert file["last_updated_by_email"] == "dana@example.com"
    assert file["source_type"] == "upload"
    assert file["key"]


def test_upload_several_files_returns_a_list_whatever_the_part_names(gw):
    folder = _create(gw)
    parts = [("first", ("a.txt", b"a", "text/plain")), ("second", ("b.csv", b"x,y\n1,2\n", "text/csv"))]
    response = gw.post("/data-board/files/upload", files=parts, data={"folder_id": folder["id"], "tags": "a, b"})
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "2 file(s) uploaded successfully"
    assert [row["name"] for row in body["data"]] == ["a.txt", "b.csv"]
    assert body["data"][0]["tags"] == ["a", "b"]


def test_upload_errors(gw):
    folder = _create(gw)
    no_folder = gw.post("/data-board/files/upload", files=[("file", ("a.txt", b"a", "text/plain"))])
    assert no_folder.status_code == 400
    assert no_folder.json() == {"success": False, "message": "folder_id is required", "data": None}
    bad_id = _upload(gw, "folder-1", [("a.txt", b"a", "text/plain")])
    assert bad_id.status_code == 400
    assert bad_id.json()["message"] == "folder_id is not a valid id"
    no_file = gw.post("/data-board/files/upload", files=[("folder_id", (None, folder["id"]))])
    assert no_file.status_code == 400
    assert no_file.json()["message"] == "No file uploaded"


def test_upload_into_an_unknown_folder_creates_it_at_root(gw):
    folder_id = str(uuid.uuid4())
    response = _upload(gw, folder_id, [("a.txt", b"a", "text/plain")], folder_name="Made on the fly")
    assert response.status_code == 201
    folder = gw.get(f"/data-board/folders/{folder_id}").json()["data"]["folder"]
    assert folder["name"] == "Made on the fly"
    assert folder["parent_folder_id"] == "root"
    hex_id = uuid.uuid4().hex[:24]
    assert _upload(gw, hex_id, [("b.txt", b"b", "text/plain")]).status_code == 201
    assert gw.get(f"/data-board/folders/{hex_id}").json()["data"]["folder"]["name"] == hex_id


def test_upload_into_another_organizations_folder_is_not_found(gw):
    folder_id = str(uuid.uuid4())
    gw.post(
        "/data-board/folders",
        json={
            "_id": folder_id,
            "name": "Theirs",
            "organization_id": "org_other",
            "parent_folder_id": "root",
            "source_type": "upload",
        },
    )
    response = _upload(gw, folder_id, [("a.txt", b"a", "text/plain")])
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Folder not found", "data": None}


def test_list_files_by_folder_and_search_ignores_the_folder(gw):
    marker = uuid.uuid4().hex[:8]
    one, two = _create(gw), _create(gw)
    _upload(gw, one["id"], [(f"alpha-{marker}.txt", b"1", "text/plain")])
    _upload(gw, two["id"], [(f"ALPHA-{marker}-2.txt", b"2", "text/plain"), ("other.txt", b"3", "text/plain")])

    listed = gw.get("/data-board/files", params={"folder_id": one["id"]}).json()
    assert listed["message"] == "Files retrieved successfully"
    assert [row["name"] for row in listed["data"]] == [f"alpha-{marker}.txt"]

    searched = gw.get("/data-board/files/search", params={"q": f"alpha-{marker}", "folder_id": one["id"]}).json()
    assert searched["message"] == "Files searched successfully"
    assert {row["folder_id"] for row in searched["data"]} == {one["id"], two["id"]}
    everything = gw.get("/data-board/files/search", params={"folder_id": one["id"]}).json()["data"]
    assert {row["name"] for row in everything} >= {f"alpha-{marker}.txt", "other.txt"}


def test_get_download_update_and_delete_a_file(gw):
    folder = _create(gw)
    content = bytes(range(256)) * 1000
    file = _upload(gw, folder["id"], [("data.bin", content, "application/octet-stream")]).json()["data"]

    got = gw.get(f"/data-board/files/{file['id']}").json()
    assert got["message"] == "File retrieved successfully"
    # [DB src/core/services/file.service.ts]: "<gateway>/files/download/<urlencoded key>", unsigned, no credential.
    presigned = got["data"]["presigned_url"]
    assert "/files/download/" in presigned and file["id"] in presigned
    assert httpx.get(presigned).content == content

    download = gw.get(f"/data-board/files/{file['id']}/download")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-disposition"] == 'attachment; filename="data.bin"'

    updated = gw.put(f"/data-board/files/{file['id']}", json={"name": "renamed.bin", "tags": "x,y", "remarks": "r"})
    assert updated.json()["data"]["name"] == "renamed.bin"
    assert updated.json()["data"]["tags"] == ["x", "y"]

    deleted = gw.post("/data-board/files/delete", json={"ids": [file["id"], str(uuid.uuid4())]})
    assert deleted.json() == {"success": True, "message": "1 files deleted successfully", "data": {"deletedCount": 1}}
    missing = gw.get(f"/data-board/files/{file['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"success": False, "message": "File not found", "data": None}
    assert gw.get(f"/data-board/files/{file['id']}/download").status_code == 404
    assert gw.post("/data-board/files/delete", json={"ids": []}).status_code == 400


def test_alias_mount_and_auth(gw, localgateway):
    folder = _create(gw)
    alias = gw.get(f"/v1/data-board/folders/{folder['id']}")
    assert alias.status_code == 200
    anonymous = httpx.get(f"{localgateway.base_url}/data-board/folders")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"message": "Unauthorized - API key or Access Token required"}


def test_scoped_api_key_cannot_reach_folders(localgateway):
    scoped = localgateway.env.get("LOCALGATEWAY_SCOPED_API_KEY", "api_scoped_local_board_only")
    response = httpx.get(f"{localgateway.base_url}/data-board/folders", headers={"x-api-key": scoped})
    assert response.status_code == 403
    assert response.json()["message"].startswith("Invalid API path: /folders")


# --- text for the assistants (folder_passages) -------------------------------------------


@pytest.fixture
def gateway_db(localgateway):
    """This process reads the running gateway's database (WAL allows it), as the chat responder does."""
    db.connect(localgateway.data_dir / "localgateway.sqlite3", [])
    yield
    db.conn().close()


def test_text_is_extracted_and_folder_passages_reads_subfolders(gw, localgateway, gateway_db):
    org = _org(gw)
    top = _create(gw)
    sub = _create(gw, parent=top["id"])
    _upload(
        gw,
        top["id"],
        [
            ("faq.md", b"# FAQ\n\nReturns take 30 days.", "text/markdown"),
            ("prices.csv", b"plan,price\nGrowth,99\n", "text/csv"),
            ("logo.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
        ],
    )
    _upload(
        gw,
        sub["id"],
        [
            (
                "page.html",
                b"<html><head><style>p{}</style></head><body><p>Ships in 3 days</p></body></html>",
                "text/html",
            ),
            ("manual.pdf", _minimal_pdf("Warranty lasts two years"), "application/pdf"),
        ],
    )
    passages = dict(knowledge.folder_passages(org, [top["id"]]))
    assert set(passages) == {"faq.md", "prices.csv", "page.html", "manual.pdf"}
    assert "Returns take 30 days." in passages["faq.md"]
    assert "Growth,99" in passages["prices.csv"]
    assert passages["page.html"].strip() == "Ships in 3 days"
    assert "Warranty lasts two years" in passages["manual.pdf"]
    assert dict(knowledge.folder_passages(org, [sub["id"]])).keys() == {"page.html", "manual.pdf"}
    assert knowledge.folder_passages("org_other", [top["id"]]) == []
    assert knowledge.folder_passages(org, [str(uuid.uuid4())]) == []


def test_seed_makes_product_documentation_with_answerable_text(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALGATEWAY_DATA_DIR", str(tmp_path))
    config = load()
    db.connect(config.db_path, [knowledge.SCHEMA])
    try:
        knowledge.seed(config)
        rows = db.conn().execute("SELECT * FROM kh_folders").fetchall()
        by_name = {row["name"]: row for row in rows}
        assert by_name["Product Documentation"]["parent_folder_id"] == "root"
        assert by_name["Policies"]["parent_folder_id"] == by_name["Product Documentation"]["id"]
        passages = dict(knowledge.folder_passages(config.organization_id, [by_name["Product Documentation"]["id"]]))
        assert set(passages) == {"pricing.md", "shipping-faq.md", "returns-policy.md", "warranty.txt"}
        assert "30 days" in passages["returns-policy.md"]
        for row in db.conn().execute("SELECT id FROM kh_files").fetchall():
            assert Path(config.files_dir / "knowledge" / row["id"]).exists()
    finally:
        db.conn().close()
