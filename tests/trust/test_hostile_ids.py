"""Ids that are not ids, on every console route, as every role: a 404 (or 403), never a 5xx, never another object.

Issue 20, findings 1 and 4: ``/boards/<board>/items/%2e%2e/delete/`` sent ``DELETE
/data-board/boards/<board>`` (httpx resolves ``items/..``), so a Support user deleted a whole
board; a control character as an id was an uncaught ``httpx.InvalidURL`` (500). Each route is
crawled with each hostile id in each id position (the other ids real), by GET and POST, and the
local gateway's request log must show no write but to the id nothing has; the real objects must
all still be there.
"""

from __future__ import annotations

import httpx
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from apps.core.roles import Role
from tests.console.assistants.test_chat_relay import login_http

from .hostile import create_hostile_data, gateway_writes
from .matrix import PUBLIC, console_url_patterns
from .test_role_matrix import MISSING_ID, SAMPLE_KWARGS

pytestmark = pytest.mark.django_db

ROLES = [Role.VIEWER, Role.SUPPORT, Role.OPERATOR, Role.ADMIN]
# As an attacker's client sends them: raw in the path, not normalised by a browser.
HOSTILE_IDS = [
    "..",
    ".",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%2e",
    "%2F",
    "a%2Fb",
    "..%2F..%2F",
    "%5C",
    "%00",
    "%0a",
    "%0d%0a",
    "%1b",
    "%7f",
    "%25",
    "%ff",  # not UTF-8
    "%C3%A9t%C3%A9",  # "été"
    "%E2%80%AE",  # right-to-left override
    "%F0%9F%92%A5",  # an emoji
    "a" * 129,  # longer than any id
    "b" * 128,  # shaped like an id, but nothing has it: the request reaches the view and the gateway
    "x" * 2000,
    "a%20b",
    "%3Cscript%3E",
]
PLACEHOLDER = "zzhostileplaceholderzz"
UUID_PLACEHOLDER = "00000000-0000-4000-8000-00000000beef"
PATTERNS = dict(console_url_patterns())
ROUTES = sorted(
    name for name in PATTERNS if name not in PUBLIC and set(PATTERNS[name].pattern.converters) - {"user_id"}
)


@pytest.fixture(scope="module")
def real_ids(localgateway) -> dict[str, str]:
    """Objects that exist, for the ids that are not under attack, so a request gets as far as it can."""
    with localgateway.client() as gw:
        return create_hostile_data(gw).ids()


def _object_paths(ids: dict[str, str]) -> list[str]:
    return [
        f"/data-board/boards/{ids['board_id']}",
        f"/data-board/boards/{ids['board_id']}/items/{ids['item_id']}",
        f"/data-board/files/{ids['file_id']}",
        f"/v3/ai/assistants/{ids['assistant_id']}",
        f"/activepieces/v1/flows/{ids['flow_id']}",
        f"/activepieces/v1/flow-runs/{ids['run_id']}",
    ]


def _clients() -> dict[Role, Client]:
    clients = {}
    for role in ROLES:
        user = User.objects.create_user(f"hostile-{role.group_name.lower()}", password="pw")
        user.groups.add(Group.objects.get(name=role.group_name))
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


def hostile_urls(name: str, ids: dict[str, str], spare_user_id: int) -> list[str]:
    """The route's URL with each hostile id in each id position in turn; every other id real."""
    pattern = PATTERNS[name]
    urls = []
    for target, converter in pattern.pattern.converters.items():
        if target == "user_id":
            continue
        kwargs = {}
        for key in pattern.pattern.converters:
            kwargs[key] = spare_user_id if key == "user_id" else ids.get(key) or str(SAMPLE_KWARGS.get(key, MISSING_ID))
        placeholder = UUID_PLACEHOLDER if converter.__class__.__name__ == "UUIDConverter" else PLACEHOLDER
        kwargs[target] = placeholder
        template = reverse(name, kwargs=kwargs)
        urls.extend(template.replace(placeholder, hostile) for hostile in HOSTILE_IDS)
    return urls


def _writes_to_other_objects(localgateway) -> list[str]:
    """Gateway writes other than to the object that does not exist (which the gateway answers 404)."""
    return [write for write in gateway_writes(localgateway) if "b" * 128 not in write]


@pytest.mark.parametrize("name", ROUTES)
def test_hostile_ids_are_never_a_server_error_and_touch_nothing(name, localgateway, real_ids):
    clients = _clients()
    spare = User.objects.create_user("hostile-spare", password="pw")
    httpx.delete(f"{localgateway.base_url}/_local/requests")
    errors = []
    for url in hostile_urls(name, real_ids, spare.pk):
        for role, client in clients.items():
            for method in ("GET", "POST"):
                response = client.generic(method, url, headers={"HX-Request": "true"} if role == Role.ADMIN else {})
                if response.status_code >= 500:
                    errors.append(f"{role.group_name} {method} {url[:120]} -> {response.status_code}")
    assert errors == []
    assert _writes_to_other_objects(localgateway) == []
    with localgateway.client() as gw:
        missing = [path for path in _object_paths(real_ids) if gw.get(path).status_code != 200]
    assert missing == [], "a hostile id reached another object"


def test_the_crawl_covers_the_routes_of_the_findings():
    reported = {
        "assistants-detail",
        "assistants-chat",
        "boards-detail",
        "board-items-update",
        "board-items-delete",
        "flows-detail",
        "flow-runs-detail",
        "knowledge-file-download",
    }
    assert reported <= set(ROUTES)


@pytest.mark.parametrize("hostile", ["%2e%2e", "..", "%2E%2E", ".%2e"])
def test_support_cannot_delete_a_board_through_an_item_id_of_dot_dot(hostile, localgateway):
    """Finding 1, exactly as reported: the board survives, nothing is deleted, the audit log says so."""
    from apps.audit.models import AuditEvent

    with localgateway.client() as gw:
        board = gw.post("/data-board/boards", json={"name": "Keep me", "fields": []}).json()["data"]
    support = User.objects.create_user("support-probe", password="pw")
    support.groups.add(Group.objects.get(name=Role.SUPPORT.group_name))
    client = Client()
    client.force_login(support)
    httpx.delete(f"{localgateway.base_url}/_local/requests")

    response = client.post(f"/boards/{board['id']}/items/{hostile}/delete/")

    assert response.status_code == 404
    assert gateway_writes(localgateway) == []
    with localgateway.client() as gw:
        assert gw.get(f"/data-board/boards/{board['id']}").status_code == 200
    assert not AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).exists()


def test_a_real_item_delete_records_the_item_really_deleted(localgateway):
    """The audit entry names the item the gateway deleted (and its board), not whatever the URL said."""
    from apps.audit.models import AuditEvent

    with localgateway.client() as gw:
        board = gw.post(
            "/data-board/boards", json={"name": "Audit", "fields": [{"name": "Name", "type": "ShortText"}]}
        ).json()["data"]
        item = gw.post(f"/data-board/boards/{board['id']}/items", json={"fields": {}}).json()["data"]
    support = User.objects.create_user("support-auditee", password="pw")
    support.groups.add(Group.objects.get(name=Role.SUPPORT.group_name))
    client = Client()
    client.force_login(support)
    httpx.delete(f"{localgateway.base_url}/_local/requests")

    assert client.post(f"/boards/{board['id']}/items/{item['id']}/delete/").status_code == 302

    assert gateway_writes(localgateway) == [f"DELETE /data-board/boards/{board['id']}/items/{item['id']}"]
    event = AuditEvent.objects.get(action="item.delete")
    assert (event.target_id, event.outcome, event.changes["board_id"]) == (
        item["id"],
        AuditEvent.Outcome.SUCCESS,
        board["id"],
    )


@pytest.mark.parametrize("hostile", ["%00", "%0a", "%1b", "%7f", "%2e%2e", "%ff"])
def test_control_characters_as_ids_are_404_on_the_live_console(hostile, live_console):
    """Finding 4 through uvicorn and the console's ASGI stack, where the 500s were seen."""
    client = login_http(live_console)
    paths = [
        f"/assistants/{hostile}/",
        f"/assistants/{hostile}/chat/",
        f"/boards/{hostile}/",
        f"/boards/{hostile}/items/{hostile}/edit/",
        f"/flows/{hostile}/",
        f"/flows/runs/{hostile}/",
        f"/knowledge/files/{hostile}/download/",
        f"/knowledge/folders/{hostile}/",
    ]
    statuses = {path: client.get(path).status_code for path in paths}
    client.close()
    assert statuses == dict.fromkeys(paths, 404)
