"""Log-in rate limiting per username and per client address.

Failed log-ins are counted in the console's database over a sliding window
(``CONSOLE_LOGIN_FAILURE_WINDOW`` seconds). While a username has
``CONSOLE_LOGIN_FAILURES_PER_USER`` failures in the window, or an address has
``CONSOLE_LOGIN_FAILURES_PER_ADDRESS``, ``LoginRateLimitMiddleware`` answers the
log-in form with 429 before any password is checked. A successful log-in clears
its username's failures (not its address's: one good account must not reset an
address that is guessing others).

The client address is ``REMOTE_ADDR``; behind a proxy run uvicorn with
``--proxy-headers --forwarded-allow-ips=<proxy>`` so that it is the real client.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils import timezone

from .models import LoginFailure

logger = logging.getLogger("imbrace_console.security")


@dataclass(frozen=True)
class LoginLimits:
    per_user: int
    per_address: int
    window: timedelta

    @classmethod
    def from_settings(cls) -> LoginLimits:
        return cls(
            per_user=settings.CONSOLE_LOGIN_FAILURES_PER_USER,
            per_address=settings.CONSOLE_LOGIN_FAILURES_PER_ADDRESS,
            window=timedelta(seconds=settings.CONSOLE_LOGIN_FAILURE_WINDOW),
        )


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64] if request is not None else "unknown"


def username_key(username: str | None) -> str:
    """Case-insensitive, so ``Admin`` and ``admin`` share one count."""
    return (username or "").strip().lower()[:150]


def wait_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _seconds_left(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``times`` (oldest first, all inside the window) remain."""
    if limit <= 0 or len(times) < limit:
        return 0
    frees_at = times[len(times) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


async def login_lockout_seconds(*, username: str, address: str) -> int:
    """How long this username or address must wait before trying again; 0 when it may try now."""
    limits = LoginLimits.from_settings()
    now = timezone.now()
    recent = LoginFailure.objects.filter(created_at__gte=now - limits.window).order_by("created_at")
    user_times = [t async for t in recent.filter(username=username_key(username)).values_list("created_at", flat=True)]
    address_times = [t async for t in recent.filter(address=address).values_list("created_at", flat=True)]
    return max(
        _seconds_left(user_times, limits.per_user, limits.window, now),
        _seconds_left(address_times, limits.per_address, limits.window, now),
    )


def login_failure_record(*, username: str, address: str) -> None:
    """Count one failure, and forget those that have left the window."""
    limits = LoginLimits.from_settings()
    LoginFailure.objects.filter(created_at__lt=timezone.now() - limits.window).delete()
    LoginFailure.objects.create(username=username_key(username), address=address)
    logger.warning("failed log-in for username=%r from %s", username_key(username), address)


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username_key(username)).delete()


def _on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    login_failure_record(username=credentials.get("username", ""), address=client_address(request))


def _on_logged_in(sender, request, user, **kwargs) -> None:
    login_failures_clear(username=user.get_username())


def connect_signals() -> None:
    user_login_failed.connect(_on_login_failed, dispatch_uid="accounts.login_failed")
    user_logged_in.connect(_on_logged_in, dispatch_uid="accounts.logged_in")
