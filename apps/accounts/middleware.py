"""Refuse log-in attempts while a username or address is over its failure limit; count the others."""

from __future__ import annotations

import logging

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.ops.metrics import login_lockout

from .login_limits import LoginAttempt, client_address, login_attempt_begin, login_attempt_end, wait_words

logger = logging.getLogger("imbrace_console.security")


class LoginRateLimitMiddleware:
    """Async-only pass-through, except for a POST to the log-in page.

    It answers before the log-in view runs, so no password is checked while
    locked out. Otherwise the attempt is counted as a failure in the same
    database step as the check (``login_attempt_begin``), and the log-in
    signals settle it once the password is checked (see ``login_limits``);
    an attempt that never reached the password check (an invalid form, a
    CSRF failure) stops counting when the response is ready.
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
            attempt = await sync_to_async(login_attempt_begin)(username=username, address=client_address(request))
            if attempt.wait:
                login_lockout("login")
                logger.warning("log-in refused (rate limit) for username=%r from %s", attempt.username, attempt.address)
                return await sync_to_async(self._refusal)(request, username, attempt.wait)
            request.login_attempt = attempt
            response = await self.get_response(request)
            if not attempt.checked:
                await sync_to_async(_not_checked)(attempt)
            return response
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


def _not_checked(attempt: LoginAttempt) -> None:
    login_attempt_end(attempt, password_was_wrong=False)
