from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .roles import Role


def console(request: HttpRequest) -> dict:
    """What every template may ask: the viewer's role and what it allows, and the section of the console.

    The role is looked up by the view (``role_required``) before rendering, so
    this reads it without touching the database.
    """
    role = getattr(request, "console_role", None)
    return {
        "console_role": role,
        # The first part of the path ("" on the dashboard): the navigation marks its link as current.
        "section": request.path_info.lstrip("/").partition("/")[0],
        "can": {
            "view": role is not None,
            "support": role is not None and role >= Role.SUPPORT,
            "operate": role is not None and role >= Role.OPERATOR,
            "admin": role is not None and role >= Role.ADMIN,
        },
        "uses_localgateway": settings.IMBRACE_USES_LOCALGATEWAY,
    }
