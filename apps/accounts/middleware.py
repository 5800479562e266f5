"""Refuse log-in attempts while a username or address is over its failure limit."""

from __future__ import annotations

import logging

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .login_limits import client_address, login_lockout_seconds, username_key, wait_words

logger = logging.getLogger("imbrace_console.security")


class LoginRateLimitMiddleware:
    """Async-only pass-through, except for a POST to the log-in page.

    It answers before the log-in view runs, so no password is checked while
    locked out; failures themselves are counted by the ``user_login_failed``
    signal (see ``login_limits``).
    """

    sync_capable = False
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._login_path: str | None = None
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest):
        if request.method == "POST" and request.path == self.login_path:
            username = request.POST.get("username", "")
            address = client_address(request)
            wait = await login_lockout_seconds(username=username, address=address)
            if wait:
                logger.warning("log-in refused (rate limit) for username=%r from %s", username_key(username), address)
                return await sync_to_async(self._refusal)(request, username, wait)
        return await self.get_response(request)

    @property
    def login_path(self) -> str:
        if self._login_path is None:
            self._login_path = reverse("login")
        return self._login_path

    def _refusal(self, request: HttpRequest, username: str, wait: int) -> HttpResponse:
        """The log-in page again, with the username kept and a clear message."""
        form = AuthenticationForm(request, data={"username": username})
        form.is_valid()
        form.errors.clear()
        form.add_error(None, f"Too many failed log-ins. Try again in {wait_words(wait)}.")
        context = {"form": form, "next": request.POST.get("next", "")}
        response = render(request, "registration/login.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
