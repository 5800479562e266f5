"""The audit page, its filters and scope, per-object history, and append-only records."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.template import Context, Template
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.audit.selectors import audit_event_list_for_target
from apps.audit.services import audited
from apps.audit.templatetags.audit import audit_change_rows
from imbrace_console.gateway import GatewayUnavailable, get_client

pytestmark = pytest.mark.django_db
# Async tests reach the database from another thread, so they need real transactions;
# serialized_rollback brings the role groups (a data migration) back after the flush.
async_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _event(actor, *, area="boards", action="item.update", target_id="item-1", outcome="success", **extra) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor.username,
        area=area,
        action=action,
        target_type=extra.pop("target_type", "board_item"),
        target_id=target_id,
        outcome=outcome,
        **extra,
    )


@pytest.fixture
def two_users(console_user):
    return console_user("Admin", "alice-admin"), console_user("Support", "sam-support")


def test_admin_sees_everyones_events_and_filters_them_by_user(client, two_users):
    admin, support = two_users
    _event(admin, target_name="Admin's change")
    _event(support, target_name="Support's change")
    client.force_login(admin)

    everyone = client.get(reverse("audit-list"))
    assert everyone.status_code == 200
    assert "Admin&#x27;s change" in everyone.text and "Support&#x27;s change" in everyone.text

    only_support = client.get(reverse("audit-list"), {"user": support.username})
    assert "Support&#x27;s change" in only_support.text
    assert "Admin&#x27;s change" not in only_support.text
    # The filter is kept in the form, so the URL reproduces the view.
    assert f'<option value="{support.username}" selected>' in only_support.text


def test_non_admin_sees_only_their_own_events_even_when_asking_for_another_user(client, two_users):
    admin, support = two_users
    _event(admin, target_name="Admin's change")
    _event(support, target_name="Support's change")
    client.force_login(support)

    response = client.get(reverse("audit-list"), {"user": admin.username})

    assert response.status_code == 200
    assert "Support&#x27;s change" in response.text
    assert "Admin&#x27;s change" not in response.text
    assert 'name="user"' not in response.text  # no user filter offered to a non-admin
    assert "Only the changes you made" in response.text


def test_filters_by_area_action_outcome_and_time(client, two_users):
    admin, _ = two_users
    _event(admin, area="boards", action="item.update", target_name="kept-board-update")
    _event(admin, area="flows", action="flow.publish", target_name="other-area")
    _event(admin, area="boards", action="item.delete", target_name="other-action")
    _event(admin, area="boards", action="item.update", outcome="failure", target_name="failed-update", message="boom")
    _event(admin, area="boards", action="item.update", target_name="old-update")
    client.force_login(admin)

    response = client.get(reverse("audit-list"), {"area": "boards", "action": "item.update", "outcome": "success"})
    text = response.text
    assert "kept-board-update" in text and "old-update" in text
    assert "other-area" not in text and "other-action" not in text and "failed-update" not in text

    later = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    none_yet = client.get(reverse("audit-list"), {"since": later})
    assert "No events match these filters." in none_yet.text

    earlier = (timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    in_range = client.get(reverse("audit-list"), {"since": earlier, "until": later, "outcome": "failure"})
    assert "failed-update" in in_range.text and "kept-board-update" not in in_range.text
    assert "boom" in in_range.text


def test_a_bad_filter_is_explained_and_ignored(client, two_users):
    admin, _ = two_users
    _event(admin, target_name="still-listed")
    client.force_login(admin)

    response = client.get(reverse("audit-list"), {"since": "yesterday-ish"})

    assert response.status_code == 200
    assert "Ignored filters" in response.text and "Enter a valid date/time" in response.text
    assert "still-listed" in response.text


def test_htmx_filtering_renders_only_the_results_and_pages_keep_the_filters(client, two_users):
    admin, _ = two_users
    for n in range(55):
        _event(admin, area="boards", target_id=f"item-{n}", target_name=f"paged-{n}")
    client.force_login(admin)

    partial = client.get(reverse("audit-list"), {"area": "boards"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and 'data-testid="audit-row"' in partial.text
    assert partial.headers["Vary"].count("HX-Request") == 1
    assert "1 to 50 of 55" in partial.text
    assert "?area=boards&amp;page=2" in partial.text

    second = client.get(reverse("audit-list"), {"area": "boards", "page": "2"})
    assert second.text.count('data-testid="audit-row"') == 5


def test_changes_show_old_and_new_values_escaped(client, two_users):
    admin, _ = two_users
    _event(
        admin,
        target_name="<b>bold</b>",
        changes={"old": {"Stage": "Lead", "Amount": 10}, "new": {"Stage": "<script>x()</script>", "Amount": 10}},
    )
    client.force_login(admin)

    text = client.get(reverse("audit-list")).text

    assert "&lt;script&gt;x()&lt;/script&gt;" in text and "<script>x()" not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "1 change" in text  # Amount did not change, so it is not listed


def test_change_rows_cover_each_shape():
    rows = audit_change_rows({"old": {"a": 1, "b": "x", "d": None}, "new": {"a": 2, "b": "x", "c": "set", "d": None}})
    assert [(r.field, r.old, r.new) for r in rows] == [("a", "1", "2"), ("c", "—", "set")]
    created = audit_change_rows({"new": {"name": "Bot", "tags": ["a"]}})
    assert [(r.field, r.new, r.has_old) for r in created] == [("name", "Bot", False), ("tags", '["a"]', False)]
    assert [(r.field, r.old, r.new) for r in audit_change_rows({"old": "draft", "new": "published"})] == [
        ("value", "draft", "published")
    ]
    assert [(r.field, r.new) for r in audit_change_rows({"count": 3})] == [("count", "3")]
    assert audit_change_rows({}) == [] and audit_change_rows(None) == []


@async_db
async def test_object_history_tag_renders_the_events_the_view_fetched(console_user):
    admin = await sync_to_async(console_user)("Admin", "history-admin")
    await AuditEvent.objects.acreate(
        actor=admin,
        actor_username="history-admin",
        area="assistants",
        action="assistant.update",
        target_type="assistant",
        target_id="as-1",
        target_name="Bot <i>",
        changes={"old": {"name": "Bot"}, "new": {"name": "Bot <i>"}},
        outcome="success",
    )
    await AuditEvent.objects.acreate(
        actor=admin, actor_username="history-admin", area="assistants", action="assistant.update",
        target_type="assistant", target_id="as-2", outcome="success",
    )  # fmt: skip
    events = await audit_event_list_for_target(target_type="assistant", target_id="as-1")

    html = Template("{% load audit %}{% audit_history events %}").render(Context({"events": events}))

    assert html.count('data-testid="audit-history-event"') == 1
    assert "assistant.update" in html and "history-admin" in html
    assert "Bot &lt;i&gt;" in html and "<i>" not in html
    empty = Template("{% load audit %}{% audit_history events 'Item history' %}").render(Context({"events": []}))
    assert "Item history" in empty and "No changes recorded" in empty


def test_history_names_fields_that_changes_key_by_id():
    event = AuditEvent(
        actor_username="sam",
        action="item.update",
        outcome="success",
        changes={"board_id": "b1", "old": {"f-123": "Lead"}, "new": {"f-123": "Won"}},
    )
    html = Template("{% load audit %}{% audit_history events labels=labels %}").render(
        Context({"events": [event], "labels": {"f-123": "Stage"}})
    )
    assert '<th scope="row">Stage</th><td class="audit-old">Lead</td><td class="audit-new">Won</td>' in html
    assert "f-123" not in html


def test_records_are_append_only(two_users):
    admin, _ = two_users
    event = _event(admin)
    event.message = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


def test_no_url_changes_an_audit_record(client, two_users):
    """The audit page only reads: every other method is refused, for the Admin too."""
    admin, _ = two_users
    event = _event(admin)
    client.force_login(admin)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(reverse("audit-list"), {"id": event.pk}).status_code == 405
    assert AuditEvent.objects.count() == 1


@async_db
async def test_audited_records_a_gateway_failure_with_its_message(gateway_faults, console_user):
    actor = await sync_to_async(console_user)("Operator", "audit-failure-operator")
    gateway_faults.add_fault(path="/data-board/boards", method="POST", kind="status", status=503, times=1)

    with pytest.raises(GatewayUnavailable):
        async with audited(
            actor=actor, area="boards", action="board.create", target_type="board", target_name="Doomed"
        ) as entry:
            await get_client().json("POST", "/data-board/boards", json={"name": "Doomed"})
            entry.target_id = "never"

    event = await AuditEvent.objects.aget(action="board.create", actor_username="audit-failure-operator")
    assert event.outcome == "failure"
    assert "Injected fault" in event.message
    assert event.request_id
    assert event.target_name == "Doomed"


@async_db
async def test_csv_export_follows_the_filters_and_the_scope_and_defuses_formulas(console_user):
    admin = await sync_to_async(console_user)("Admin", "export-admin")
    support = await sync_to_async(console_user)("Support", "export-support")
    await sync_to_async(_event)(
        admin, area="boards", target_name='=HYPERLINK("http://evil")', changes={"new": {"Stage": "Won"}}
    )
    await sync_to_async(_event)(admin, area="flows", target_name="not exported")
    await sync_to_async(_event)(support, area="boards", target_name="support's own")
    client = AsyncClient()
    await client.aforce_login(admin)

    page = await client.get(reverse("audit-list"), {"area": "boards"})
    assert f'href="{reverse("audit-export")}?area=boards"' in page.content.decode()
    response = await client.get(reverse("audit-export"), {"area": "boards"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = await _csv_rows(response)
    assert rows[0][:4] == ["time", "user", "area", "action"]
    assert [row[6] for row in rows[1:]] == ["support's own", '\'=HYPERLINK("http://evil")']
    assert json.loads(rows[2][9]) == {"new": {"Stage": "Won"}}

    await client.aforce_login(support)
    own = await _csv_rows(await client.get(reverse("audit-export"), {"user": admin.username}))
    assert [row[1] for row in own[1:]] == [support.username]


async def _csv_rows(response) -> list[list[str]]:
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    return list(csv.reader(io.StringIO(body)))
