from __future__ import annotations

from .models import AuditEvent


async def audit_event_list_for_target(*, target_type: str, target_id: str, limit: int = 20) -> list[AuditEvent]:
    """The latest events about one gateway object, newest first."""
    queryset = AuditEvent.objects.filter(target_type=target_type, target_id=target_id)[:limit]
    return [event async for event in queryset]
