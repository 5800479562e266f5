"""Reads of console users and their roles (the console's own database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.http import Http404

from apps.core.roles import ROLE_BY_GROUP, Role


@dataclass(frozen=True)
class ConsoleUser:
    id: int
    username: str
    role: Role | None
    is_active: bool
    is_superuser: bool
    last_login: datetime | None
    date_joined: datetime

    @property
    def role_name(self) -> str:
        return self.role.group_name if self.role else "No role"


def _console_user(user) -> ConsoleUser:
    roles = [ROLE_BY_GROUP[group.name] for group in user.groups.all() if group.name in ROLE_BY_GROUP]
    role = Role.ADMIN if user.is_superuser else max(roles, default=None)
    return ConsoleUser(
        id=user.pk,
        username=user.get_username(),
        role=role,
        is_active=user.is_active,
        is_superuser=user.is_superuser,
        last_login=user.last_login,
        date_joined=user.date_joined,
    )


async def user_list() -> list[ConsoleUser]:
    """Every console user with the role they hold, active ones first."""
    queryset = get_user_model().objects.prefetch_related("groups").order_by("-is_active", "username")
    return [_console_user(user) async for user in queryset]


async def user_get(*, user_id: int) -> ConsoleUser:
    user = await get_user_model().objects.prefetch_related("groups").filter(pk=user_id).afirst()
    if user is None:
        raise Http404("No such console user.")
    return _console_user(user)
