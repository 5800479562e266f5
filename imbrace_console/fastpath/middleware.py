"""Django's own middleware, with its hooks run on the event loop where they never block.

Stands in for ``MiddlewareMixin.__acall__`` (``django/utils/deprecation.py``)
on Django's security, common, clickjacking, CSP, authentication, CSRF,
session, message and login-required middleware. Under ASGI, Django runs each
sync hook of a ``MiddlewareMixin`` through ``sync_to_async``: a thread hop
per hook, about fifteen per request. The hooks below only read headers and
cookies and set attributes, so these subclasses call them inline. The steps
that can touch the database or parse a body still leave the loop: loading
the session, user and role (one step), saving a modified session, storing
flash messages, and the CSRF check of a form body (which parses it).
"""

from __future__ import annotations

from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.middleware import clickjacking, common, csp, csrf, security

from apps.core.roles import role_for

from .asgi import FORM_TYPES


class InlineHooksMixin:
    """Call ``process_request``/``process_response`` directly in async mode (they do no I/O)."""

    async def __acall__(self, request):
        response = self.process_request(request) if hasattr(self, "process_request") else None
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = self.process_response(request, response)
        return response


class SecurityMiddleware(InlineHooksMixin, security.SecurityMiddleware):
    pass


class CommonMiddleware(InlineHooksMixin, common.CommonMiddleware):
    pass


class XFrameOptionsMiddleware(InlineHooksMixin, clickjacking.XFrameOptionsMiddleware):
    pass


class ContentSecurityPolicyMiddleware(InlineHooksMixin, csp.ContentSecurityPolicyMiddleware):
    pass


class AuthenticationMiddleware(InlineHooksMixin, auth_middleware.AuthenticationMiddleware):
    """Its hook only attaches the lazy ``request.user`` and ``request.auser``."""


class CsrfViewMiddleware(InlineHooksMixin, csrf.CsrfViewMiddleware):
    """The token check inline, unless it would parse a form body: then in a worker thread.

    Django's check reads ``request.POST`` for a POST, which parses the whole
    body (a multipart CSV import of 20 MB takes tens of milliseconds). On the
    loop that would stall every open chat stream, and in Django's shared sync
    thread every other request's database step; a worker thread holds up
    neither. The parsed form stays on the request for the view.
    """

    async def process_view(self, request, callback, callback_args, callback_kwargs):
        if _parses_form_body(request, callback):
            check = sync_to_async(super().process_view, thread_sensitive=False)
            return await check(request, callback, callback_args, callback_kwargs)
        return super().process_view(request, callback, callback_args, callback_kwargs)


def _parses_form_body(request, callback) -> bool:
    """Whether Django's CSRF check of this request would parse its body (a form POST not yet parsed)."""
    return (
        request.method == "POST"
        and request.content_type in FORM_TYPES
        and not hasattr(request, "_post")
        and not getattr(callback, "csrf_exempt", False)
    )


def _user_and_role(request):
    """The session's user and their console role, read together in one trip to the sync thread."""
    user = get_user(request)
    return user, role_for(user)


async def _known(user):
    return user


class LoginRequiredMiddleware(InlineHooksMixin, auth_middleware.LoginRequiredMiddleware):
    """Load the user and their role in one step, then keep them on the request.

    The session, the user and the role are three reads; through ``request.auser()``
    and then a role lookup they would be three trips to the sync thread. Here they
    are one, and ``request.user``, ``request.auser()`` and the role the views check
    (``apps.core.roles``) all answer from what it read.
    """

    async def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user, role = await sync_to_async(_user_and_role)(request)
        request.user = user
        request.auser = partial(_known, user)
        request.console_role = role
        if user.is_authenticated:
            return None
        return self.handle_no_permission(request, view_func)


class SessionMiddleware(sessions_middleware.SessionMiddleware):
    """Attach the lazy session inline; save it in a thread only when it changed."""

    async def __acall__(self, request):
        self.process_request(request)
        response = await self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST):
            return await sync_to_async(self.process_response)(request, response)
        return self.process_response(request, response)


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Attach the storage inline; storing messages may read the session, so that step uses a thread."""

    async def __acall__(self, request):
        self.process_request(request)
        response = await self.get_response(request)
        storage = getattr(request, "_messages", None)
        if storage is not None and (storage.used or storage.added_new):
            return await sync_to_async(self.process_response)(request, response)
        return response
