"""Recording what the console changes through the gateway.

Services wrap each gateway write in ``audited(...)``: the event is written
once the outcome is known, with the gateway's message on failure.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async

from imbrace_console.gateway import GatewayError, get_client

from .models import AuditEvent


@dataclass
class AuditEntry:
    """What a service knows about a change; it may fill in the target once created."""

    area: str
    action: str
    target_type: str = ""
    target_id: str = ""
    target_name: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


def audit_event_write(
    *,
    actor,
    entry: AuditEntry,
    outcome: str,
    message: str = "",
    request_id: str = "",
) -> AuditEvent:
    """Store one event (sync: for code that already runs in a thread, next to other writes)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        area=entry.area,
        action=entry.action,
        target_type=entry.target_type,
        target_id=str(entry.target_id)[:128],
        target_name=str(entry.target_name)[:512],
        changes=entry.changes,
        outcome=outcome,
        message=message,
        request_id=request_id,
    )


audit_event_record = sync_to_async(audit_event_write)


@contextlib.asynccontextmanager
async def audited(
    *,
    actor,
    area: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    target_name: str = "",
    changes: dict[str, Any] | None = None,
) -> AsyncIterator[AuditEntry]:
    """Record the change in the block: success, or failure with the gateway's words."""
    entry = AuditEntry(area, action, target_type, str(target_id or ""), target_name or "", changes or {})
    async with audit_recorded(actor=actor, entry=entry):
        yield entry


@contextlib.asynccontextmanager
async def audit_recorded(*, actor, entry: AuditEntry) -> AsyncIterator[AuditEntry]:
    """Record the change in the block as ``entry``: success, or failure with the gateway's words.

    The block may fill in the entry (a create learns its target's id from the answer).
    """
    try:
        yield entry
    except GatewayError as exc:
        await audit_event_record(
            actor=actor,
            entry=entry,
            outcome=AuditEvent.Outcome.FAILURE,
            message=exc.user_message_with_detail,
            request_id=exc.request_id,
        )
        raise
    await audit_event_record(actor=actor, entry=entry, outcome=AuditEvent.Outcome.SUCCESS)


async def audited_json(method: str, path: str, *, actor, entry: AuditEntry, json: Any = None) -> Any:
    """Send one write to the gateway, recorded as ``entry``, and return its decoded JSON body.

    Most service writes are exactly this: one request whose outcome is the audit event.
    """
    async with audit_recorded(actor=actor, entry=entry):
        return await get_client().json(method, path, json=json)
