"""Reads of the audit log: the filtered page, the filter choices, and one object's history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from .models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page is narrowed to; every field comes from the URL's query string."""

    user: str = ""
    area: str = ""
    action: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditEventPage:
    events: list[AuditEvent]
    total: int
    page: int
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.events else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.events)


def _visible_to(*, actor_id: int, sees_everyone: bool) -> QuerySet[AuditEvent]:
    """Admins see every event; everyone else sees only the events they caused."""
    queryset = AuditEvent.objects.all()
    return queryset if sees_everyone else queryset.filter(actor_id=actor_id)


def _filtered(*, actor_id: int, sees_everyone: bool, filters: AuditFilters) -> QuerySet[AuditEvent]:
    queryset = _visible_to(actor_id=actor_id, sees_everyone=sees_everyone)
    if filters.user and sees_everyone:
        queryset = queryset.filter(actor_username=filters.user)
    if filters.area:
        queryset = queryset.filter(area=filters.area)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.outcome:
        queryset = queryset.filter(outcome=filters.outcome)
    if filters.since:
        queryset = queryset.filter(created_at__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__lte=filters.until)
    return queryset


async def audit_event_list(
    *, actor_id: int, sees_everyone: bool, filters: AuditFilters, page: int = 1, page_size: int = PAGE_SIZE
) -> AuditEventPage:
    """One page of events, newest first, narrowed by ``filters`` and by what the viewer may see."""
    queryset = _filtered(actor_id=actor_id, sees_everyone=sees_everyone, filters=filters)
    total = await queryset.acount()
    page = max(1, page)
    offset = (page - 1) * page_size
    events = [event async for event in queryset[offset : offset + page_size]]
    return AuditEventPage(events=events, total=total, page=page, page_size=page_size)


async def audit_event_iter(*, actor_id: int, sees_everyone: bool, filters: AuditFilters) -> AsyncIterator[AuditEvent]:
    """Every matching event, newest first, fetched in chunks (for the CSV export)."""
    queryset = _filtered(actor_id=actor_id, sees_everyone=sees_everyone, filters=filters)
    async for event in queryset.aiterator(chunk_size=500):
        yield event


@dataclass(frozen=True)
class AuditFilterChoices:
    users: list[str]
    areas: list[str]
    actions: list[str]


async def audit_filter_choices(*, actor_id: int, sees_everyone: bool) -> AuditFilterChoices:
    """The users, areas and actions that occur in the events the viewer may see."""
    queryset = _visible_to(actor_id=actor_id, sees_everyone=sees_everyone).order_by()

    async def distinct(column: str) -> list[str]:
        values = queryset.values_list(column, flat=True).distinct().order_by(column)
        return [value async for value in values if value]

    users = await distinct("actor_username") if sees_everyone else []
    return AuditFilterChoices(users=users, areas=await distinct("area"), actions=await distinct("action"))


async def audit_event_list_for_target(*, target_type: str, target_id: str, limit: int = 20) -> list[AuditEvent]:
    """The latest events about one gateway object, newest first (its history, shown to every role)."""
    queryset = AuditEvent.objects.filter(target_type=target_type, target_id=target_id)[:limit]
    return [event async for event in queryset]
