"""Changes to console users, made by Admins. Each change is written to the audit log.

Passwords never reach the audit log or a log line. Changing a password
rotates the session hash, so every other session of that user ends.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.audit.services import AuditEntry, audit_event_record
from apps.core.roles import ROLE_BY_GROUP, Role

from .selectors import ConsoleUser, user_get

AREA = "accounts"
TARGET_TYPE = "console_user"


class AccountChangeRefused(Exception):
    """A change an Admin may not make (for example, to lock themselves out)."""


def _refuse_own(actor, user_id: int, what: str) -> None:
    if actor.pk == user_id:
        raise AccountChangeRefused(f"You cannot {what} your own account; ask another Admin.")


async def _record(*, actor, action: str, user: ConsoleUser, changes: dict | None = None) -> None:
    entry = AuditEntry(AREA, action, TARGET_TYPE, str(user.id), user.username, changes or {})
    await audit_event_record(actor=actor, entry=entry, outcome=AuditEvent.Outcome.SUCCESS)


def _set_role_groups(user, role: Role) -> None:
    """Replace the user's role group, leaving any other groups alone."""
    user.groups.remove(*Group.objects.filter(name__in=ROLE_BY_GROUP))
    user.groups.add(Group.objects.get(name=role.group_name))


async def _hashed(password: str) -> str:
    """The password's hash, made in a thread of its own.

    Hashing takes about half a second on purpose. Async views share one sync
    thread for their database steps (``imbrace_console.fastpath.asgi``), so it is
    done outside that thread, and every other request's steps go on meanwhile.
    """
    return await sync_to_async(make_password, thread_sensitive=False)(password)


async def user_create(*, actor, username: str, password: str, role: Role) -> ConsoleUser:
    hashed = await _hashed(password)

    def create() -> int:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=username)
            user.password = hashed
            user.save(update_fields=["password"])
            _set_role_groups(user, role)
            return user.pk

    created = await user_get(user_id=await sync_to_async(create)())
    await _record(actor=actor, action="user.create", user=created, changes={"new": {"role": role.group_name}})
    return created


async def user_role_set(*, actor, user_id: int, role: Role) -> ConsoleUser:
    _refuse_own(actor, user_id, "change the role of")
    before = await user_get(user_id=user_id)
    if before.is_superuser:
        raise AccountChangeRefused("A superuser is always an Admin; change that with manage.py.")
    if before.role == role:
        return before

    def update() -> None:
        with transaction.atomic():
            _set_role_groups(get_user_model().objects.get(pk=user_id), role)

    await sync_to_async(update)()
    after = await user_get(user_id=user_id)
    await _record(
        actor=actor,
        action="user.role",
        user=after,
        changes={"old": {"role": before.role_name}, "new": {"role": role.group_name}},
    )
    return after


async def _active_set(*, actor, user_id: int, active: bool) -> ConsoleUser:
    _refuse_own(actor, user_id, "deactivate" if not active else "reactivate")
    before = await user_get(user_id=user_id)
    await get_user_model().objects.filter(pk=user_id).aupdate(is_active=active)
    after = await user_get(user_id=user_id)
    await _record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        user=after,
        changes={"old": {"active": before.is_active}, "new": {"active": active}},
    )
    return after


async def user_deactivate(*, actor, user_id: int) -> ConsoleUser:
    """The user can no longer log in, and their open sessions stop working at the next request."""
    return await _active_set(actor=actor, user_id=user_id, active=False)


async def user_activate(*, actor, user_id: int) -> ConsoleUser:
    return await _active_set(actor=actor, user_id=user_id, active=True)


async def user_password_set(*, actor, user_id: int, password: str) -> ConsoleUser:
    """An Admin sets a new password for someone; that user's sessions all end."""

    hashed = await _hashed(password)
    await get_user_model().objects.filter(pk=user_id).aupdate(password=hashed)
    target = await user_get(user_id=user_id)
    action = "password.change" if actor.pk == user_id else "user.password_reset"
    await _record(actor=actor, action=action, user=target)
    return target
