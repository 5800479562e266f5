"""The console's four roles, as Django groups, and the check every view makes.

Roles are ordered: each includes everything the one below it may do.

- Viewer: reads everything.
- Support: also edits board items and uploads files.
- Operator: also manages assistants, flows, folders, boards and fields.
- Admin: also manages console users and sees everyone's audit log.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from enum import IntEnum

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import HttpRequest, HttpResponseBase


class Role(IntEnum):
    VIEWER = 1
    SUPPORT = 2
    OPERATOR = 3
    ADMIN = 4

    @property
    def group_name(self) -> str:
        return self.name.title()


ROLE_BY_GROUP = {role.group_name: role for role in Role}


# Every request asks for its user's groups. Through the ORM, building this query costs
# many times what SQLite takes to answer it, so it is written as SQL.
_GROUP_NAMES_SQL = (
    "SELECT auth_group.name FROM auth_group"
    " JOIN auth_user_groups ON auth_user_groups.group_id = auth_group.id"
    " WHERE auth_user_groups.user_id = %s"
)


def role_for(user) -> Role | None:
    """The highest role the user holds (superusers are Admins), or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    with connections[router.db_for_read(Group)].cursor() as cursor:
        cursor.execute(_GROUP_NAMES_SQL, [user.pk])
        names = [name for (name,) in cursor.fetchall()]
    return max((ROLE_BY_GROUP[name] for name in names if name in ROLE_BY_GROUP), default=None)


async def arole_for(user) -> Role | None:
    """``role_for`` from async code: the group read runs in the sync thread."""
    return await sync_to_async(role_for)(user)


async def aresolve_role(request: HttpRequest) -> Role | None:
    """Look the role up once per request and keep it on the request for templates."""
    if not hasattr(request, "console_role"):
        request.console_role = await arole_for(await request.auser())
    return request.console_role


def role_required(minimum: Role) -> Callable:
    """Refuse (403) a user whose role is below ``minimum``. For async views."""

    def decorator(view: Callable[..., Awaitable[HttpResponseBase]]) -> Callable[..., Awaitable[HttpResponseBase]]:
        @functools.wraps(view)
        async def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            role = await aresolve_role(request)
            if role is None or role < minimum:
                raise PermissionDenied(f"This needs the {minimum.group_name} role.")
            return await view(request, *args, **kwargs)

        return wrapped

    return decorator
