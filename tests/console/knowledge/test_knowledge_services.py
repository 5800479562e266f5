"""Knowledge selectors and services against the local gateway: traps hidden, writes audited."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile

from apps.assistants.selectors import assistants_by_folder
from apps.audit.models import AuditEvent
from apps.knowledge import selectors, services
from imbrace_console.gateway import GatewayError, GatewayNotFound

from .conftest import unique

async_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ACTOR = SimpleNamespace(pk=None, username="knowledge-tester", email="tester@example.com")


def temp_upload(name: str, content: bytes, content_type: str = "text/plain") -> TemporaryUploadedFile:
    uploaded = TemporaryUploadedFile(name, content_type, len(content), None)
    uploaded.write(content)
    uploaded.seek(0)
    return uploaded


@async_db
async def test_folder_create_sends_the_organization_and_is_audited():
    name = unique("Manuals")
    folder = await services.folder_create(actor=ACTOR, name=name, description="How-tos")
    assert folder["organization_id"] == "org_imbrace_local"
    assert folder["parent_folder_id"] == "root"
    tree = await selectors.folder_tree()
    assert tree.by_id[folder["id"]].path == f"/{name}"
    event = await AuditEvent.objects.aget(action="folder.create", target_id=folder["id"])
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.target_name == name


@async_db
async def test_tree_paths_follow_a_rename_even_where_the_service_keeps_old_paths(make_folder):
    top = make_folder(unique("Top"))
    child = make_folder("Child", parent=top["id"])
    await services.folder_rename(actor=ACTOR, folder_id=top["id"], name="Renamed top")
    node = (await selectors.folder_tree()).by_id[child["id"]]
    assert node.path == "/Renamed top/Child"
    assert dict(await selectors.folder_choices())[child["id"]] == "/Renamed top/Child"
    event = await AuditEvent.objects.aget(action="folder.rename", target_id=top["id"])
    assert event.changes == {"old": {"name": top["name"]}, "new": {"name": "Renamed top"}}


@async_db
async def test_folder_search_is_plain_text_not_a_regex(make_folder):
    marker = uuid.uuid4().hex[:6]
    wanted = make_folder(f"Q&A (draft) {marker}")
    make_folder(f"QA draft {marker}")
    found = await selectors.folder_search(query=f"(draft) {marker}")
    assert [node.id for node in found] == [wanted["id"]]
    assert await selectors.folder_search(query="[unclosed") == []


@async_db
async def test_folder_detail_lists_only_its_own_files(make_folder, put_file):
    top = make_folder()
    sub = make_folder(parent=top["id"])
    put_file(top["id"], "top.txt", b"12345")
    put_file(sub["id"], "sub.txt")
    detail = await selectors.folder_detail(folder_id=top["id"])
    assert [file.name for file in detail.files] == ["top.txt"]
    assert detail.files[0].file_size == 5
    assert detail.files[0].uploaded_by == "Dana"
    assert detail.files[0].kind == "TXT"
    assert [node.id for node in detail.subfolders] == [sub["id"]]
    assert detail.folder.file_count == 2
    assert detail.folder.descendant_count == 1
    sub_detail = await selectors.folder_detail(folder_id=sub["id"])
    assert [node.id for node in sub_detail.ancestors] == [top["id"]]
    with pytest.raises(GatewayNotFound):
        await selectors.folder_detail(folder_id=str(uuid.uuid4()))


@async_db
async def test_file_upload_streams_from_disk_and_records_the_uploader(make_folder):
    folder = make_folder()
    content = b"line\n" * 200_000
    uploaded = temp_upload("big-notes.txt", content)
    record = await services.file_upload(
        actor=ACTOR, folder_id=folder["id"], name=uploaded.name, content=uploaded.file, size=uploaded.size
    )
    assert record["name"] == "big-notes.txt"
    assert record["file_size"] == len(content)
    assert record["last_updated_by_display_name"] == "knowledge-tester"
    assert record["last_updated_by_email"] == "tester@example.com"
    download = await selectors.file_download(file_id=record["id"])
    received = b"".join([chunk async for chunk in download.chunks])
    assert received == content
    assert download.name == "big-notes.txt"
    event = await AuditEvent.objects.aget(action="file.upload", target_id=record["id"])
    assert event.changes["new"]["size"] == len(content)


@async_db
async def test_file_upload_refuses_an_unknown_folder_instead_of_creating_it(gw):
    folder_id = str(uuid.uuid4())
    with pytest.raises(GatewayNotFound):
        await services.file_upload(actor=ACTOR, folder_id=folder_id, name="a.txt", content=io.BytesIO(b"a"), size=1)
    assert gw.get(f"/data-board/folders/{folder_id}").status_code == 404


@async_db
async def test_a_failed_upload_is_audited_with_the_gateways_words(make_folder, gateway_faults):
    folder = make_folder()
    gateway_faults.add_fault(path="/data-board/files/upload", kind="status", status=500)
    with pytest.raises(GatewayError):
        await services.file_upload(actor=ACTOR, folder_id=folder["id"], name="a.txt", content=io.BytesIO(b"a"), size=1)
    event = await AuditEvent.objects.aget(action="file.upload", target_name="a.txt")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert "Injected fault" in event.message


@async_db
async def test_folder_delete_takes_subfolders_and_files(make_folder, put_file, gw):
    top = make_folder()
    sub = make_folder(parent=top["id"])
    file = put_file(sub["id"])
    node = await selectors.folder_get(folder_id=top["id"])
    assert await services.folder_delete(actor=ACTOR, folder=node) == 1
    assert gw.get(f"/data-board/files/{file['id']}").status_code == 404
    event = await AuditEvent.objects.aget(action="folder.delete", target_id=top["id"])
    assert event.changes == {"old": {"files": 1, "subfolders": 1}}


@async_db
async def test_file_delete(make_folder, put_file, gw):
    folder = make_folder()
    file = put_file(folder["id"], "old.txt")
    await services.file_delete(actor=ACTOR, file_id=file["id"], name="old.txt")
    assert gw.get(f"/data-board/files/{file['id']}").status_code == 404
    assert await AuditEvent.objects.filter(action="file.delete", target_id=file["id"]).aexists()


@async_db
async def test_attach_and_detach_a_folder_on_an_assistant(make_folder, gw):
    folder = make_folder()
    other = make_folder()
    response = gw.post(
        "/v3/ai/assistant_apps",
        json={"name": unique("Helper"), "workflow_name": f"kh_{uuid.uuid4().hex[:10]}", "folder_ids": [other["id"]]},
    )
    response.raise_for_status()
    assistant_id = response.json()["id"]

    await services.folder_assistant_set(actor=ACTOR, folder_id=folder["id"], assistant_id=assistant_id, attached=True)
    using, _ = await assistants_by_folder(folder_id=folder["id"])
    assert assistant_id in {row["id"] for row in using}
    kept = gw.get(f"/v3/ai/assistants/{assistant_id}").json()["folder_ids"]
    assert set(kept) == {folder["id"], other["id"]}

    await services.folder_assistant_set(actor=ACTOR, folder_id=folder["id"], assistant_id=assistant_id, attached=False)
    using, others = await assistants_by_folder(folder_id=folder["id"])
    assert assistant_id not in {row["id"] for row in using}
    assert assistant_id in {row["id"] for row in others}
    assert gw.get(f"/v3/ai/assistants/{assistant_id}").json()["folder_ids"] == [other["id"]]
