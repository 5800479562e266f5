"""Log-in rate limiting per username and per client address.

Failed log-ins are counted in the console's database over a sliding window
(``CONSOLE_LOGIN_FAILURE_WINDOW`` seconds). While a username has
``CONSOLE_LOGIN_FAILURES_PER_USER`` failures in the window, or an address has
``CONSOLE_LOGIN_FAILURES_PER_ADDRESS``, ``LoginRateLimitMiddleware`` answers the
log-in form with 429 before any password is checked. A successful log-in clears
its username's failures (not its address's: one good account must not reset an
address that is guessing others).

Three things make the limit hold (docs/security.md, "Log-in limits"):

- The username is counted as authentication reads it: Django's log-in form strips
  it and NFKC-normalises it (``UsernameField``), so a fullwidth look-alike is the
  same name; it is also lower-cased, so ``Admin`` and ``admin`` share one count.
- Checking and counting are one step: ``login_attempt_begin`` locks the
  username's and the address's ``LoginGate`` rows, counts, and records the
  attempt as a failure before the password is checked, all in one transaction.
  The password check then either leaves it as the failure, or (log-in succeeded,
  or no password was checked) removes it.
- The client address is the socket's, unless that is one of
  ``CONSOLE_TRUSTED_PROXIES``: then it is the right-most address in
  ``X-Forwarded-For`` that is not a trusted proxy (``client_address``).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import DatabaseError, transaction
from django.utils import timezone

from .models import LoginFailure, LoginGate

logger = logging.getLogger("imbrace_console.security")

# The address key of requests whose address an ASGI server took from X-Forwarded-For
# while the console trusts no proxy (see ``client_address``).
UNTRUSTED_FORWARDED = "x-forwarded-for"
_USERNAME = UsernameField(max_length=150)
_PRUNE_EVERY = 60.0
_pruned_at = 0.0


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


@dataclass
class LoginAttempt:
    """One attempt let through to the password check (``row_id`` counts it), or refused (``wait`` > 0)."""

    username: str
    address: str
    wait: int = 0
    row_id: int | None = None
    checked: bool = False


# --- Who is trying --------------------------------------------------------------------------


def username_key(username: str | None) -> str:
    """The username as Django's log-in form hands it to authentication (stripped, NFKC), lower-cased."""
    return _USERNAME.to_python(username or "").lower()[:150]


@functools.lru_cache(maxsize=8)
def _proxy_networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted_proxies() -> tuple:
    return _proxy_networks(tuple(settings.CONSOLE_TRUSTED_PROXIES))


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return ip.ipv4_mapped if ip.version == 6 and ip.ipv4_mapped else ip


def _is_proxy(ip, proxies: tuple) -> bool:
    return ip is not None and any(ip.version == net.version and ip in net for net in proxies)


def _forwarded_hosts(header: str) -> list[str]:
    """X-Forwarded-For's entries, without port or brackets (``[::1]:80`` -> ``::1``), as uvicorn reads them."""
    hosts = []
    for raw in header.split(","):
        entry = raw.strip()
        if entry.startswith("[") and "]" in entry:
            entry = entry[1 : entry.index("]")]
        elif entry.count(":") == 1:
            entry = entry.rsplit(":", 1)[0]
        hosts.append(entry)
    return hosts


def _right_most_untrusted(hosts: list[str], proxies: tuple):
    """The first address, reading from the right, that is not a trusted proxy; None if it is not an address."""
    for host in reversed(hosts):
        ip = _ip(host)
        if not _is_proxy(ip, proxies):
            return ip
    return _ip(hosts[0])  # every hop a trusted proxy: the left-most is the client


def _address_key(ip) -> str:
    """An IPv6 client is counted by its /64: one host usually holds the whole /64."""
    if ip.version == 6:
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def client_address(request) -> str:
    """The address the per-address limit counts (at most 64 characters).

    X-Forwarded-For is read only when the socket's peer is one of
    ``CONSOLE_TRUSTED_PROXIES``. uvicorn with ``--proxy-headers`` (its default,
    trusting 127.0.0.1) has already replaced the peer with an address from the
    header; that is recognised (the peer is one of the header's entries) and then
    the header is read again with the console's own list, or, when that list is
    empty, all such requests share one key: a rotating header never resets a count.
    """
    if request is None:
        return "unknown"
    peer_text = (request.META.get("REMOTE_ADDR") or "").strip()
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hosts = _forwarded_hosts(header) if header.strip() else []
    proxies = _trusted_proxies()
    peer = _ip(peer_text)
    if hosts and peer_text and peer_text in hosts:
        if not proxies:
            _warn_forwarded_once()
            return UNTRUSTED_FORWARDED
        chosen = _right_most_untrusted(hosts, proxies)
        return _address_key(chosen) if chosen is not None else UNTRUSTED_FORWARDED
    if hosts and _is_proxy(peer, proxies):
        chosen = _right_most_untrusted(hosts, proxies) or peer
        return _address_key(chosen)
    if peer is not None:
        return _address_key(peer)
    return (peer_text or "unknown")[:64]


def check_trusted_proxies(app_configs=None, **kwargs) -> list:
    """System check accounts.E001: every CONSOLE_TRUSTED_PROXIES entry is an address or a network."""
    from django.core.checks import Error

    errors = []
    for entry in settings.CONSOLE_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"CONSOLE_TRUSTED_PROXIES holds {entry!r}, which is not an IP address or network.",
                    hint="List the reverse proxies' addresses (10.0.0.5) or networks (10.0.0.0/24), comma-separated.",
                    id="accounts.E001",
                )
            )
    return errors


@functools.cache
def _warn_forwarded_once() -> None:
    logger.warning(
        "The ASGI server took the client address from X-Forwarded-For, but CONSOLE_TRUSTED_PROXIES is empty: "
        "such requests share one log-in limit. Set CONSOLE_TRUSTED_PROXIES to the proxies' addresses, or run "
        "uvicorn with --no-proxy-headers (docs/security.md)."
    )


# --- Counting -------------------------------------------------------------------------------


def wait_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _seconds_left(newest_first: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of these times (the newest ``limit``, inside the window) remain."""
    if limit <= 0 or len(newest_first) < limit:
        return 0
    frees_at = newest_first[limit - 1] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _lock(key: str, now: datetime) -> None:
    """Hold ``key``'s gate row until the transaction ends (created on first use)."""
    for _ in range(3):
        if LoginGate.objects.filter(key=key).update(touched_at=now):
            return
        # A concurrent first use of the same key waits here on the unique index, then finds the row.
        LoginGate.objects.bulk_create([LoginGate(key=key, touched_at=now)], ignore_conflicts=True)
    raise DatabaseError(f"could not lock the log-in gate {key!r}")


def _recent(since: datetime, limit: int, **match) -> list[datetime]:
    """The newest ``limit`` failure times in the window (all ``_seconds_left`` needs)."""
    rows = LoginFailure.objects.filter(created_at__gte=since, **match).order_by("-created_at")
    return list(rows.values_list("created_at", flat=True)[: max(limit, 0)])


def login_attempt_begin(*, username: str, address: str) -> LoginAttempt:
    """Check the limits and, when under them, count this attempt as a failure: one transaction.

    Call it before the password is checked; then ``login_attempt_end`` (or the log-in signals) settles it.
    """
    limits = LoginLimits.from_settings()
    attempt = LoginAttempt(username=username_key(username), address=address[:64])
    per_user, per_address = limits.per_user, limits.per_address
    now = timezone.now()
    since = now - limits.window
    with transaction.atomic():
        # In one order everywhere, so two attempts never wait on each other's second lock.
        for key in sorted([f"user:{attempt.username}", f"address:{attempt.address}"]):
            _lock(key, now)
        attempt.wait = max(
            _seconds_left(_recent(since, per_user, username=attempt.username), per_user, limits.window, now),
            _seconds_left(_recent(since, per_address, address=attempt.address), per_address, limits.window, now),
        )
        if not attempt.wait:
            attempt.row_id = LoginFailure.objects.create(username=attempt.username, address=attempt.address).pk
    _prune(now - limits.window)
    return attempt


def login_attempt_end(attempt: LoginAttempt, *, password_was_wrong: bool) -> None:
    """A wrong password keeps the attempt as a failure; otherwise it no longer counts."""
    attempt.checked = True
    if password_was_wrong:
        logger.warning("failed log-in for username=%r from %s", attempt.username, attempt.address)
    elif attempt.row_id is not None:
        LoginFailure.objects.filter(pk=attempt.row_id).delete()
        attempt.row_id = None


def login_failure_record(*, username: str, address: str) -> None:
    """Count one failure that had no ``login_attempt_begin`` (an ``authenticate`` outside the log-in page)."""
    LoginFailure.objects.create(username=username_key(username), address=address[:64])
    logger.warning("failed log-in for username=%r from %s", username_key(username), address)


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username_key(username)).delete()


def _prune(before: datetime) -> None:
    """Forget failures and gates that have left the window: at most once a minute per process, best effort."""
    global _pruned_at
    if time.monotonic() - _pruned_at < _PRUNE_EVERY:
        return
    _pruned_at = time.monotonic()
    try:
        with transaction.atomic():
            LoginFailure.objects.filter(created_at__lt=before).delete()
            LoginGate.objects.filter(touched_at__lt=before).delete()
    except DatabaseError:  # two processes pruning the same rows at once: the other one does it
        logger.info("log-in failures not pruned this time", exc_info=True)


# --- Django's log-in signals ------------------------------------------------------------------


def _on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    attempt = getattr(request, "login_attempt", None)
    if attempt is not None:
        login_attempt_end(attempt, password_was_wrong=True)
    else:
        login_failure_record(username=credentials.get("username", ""), address=client_address(request))


def _on_logged_in(sender, request, user, **kwargs) -> None:
    attempt = getattr(request, "login_attempt", None)
    if attempt is not None:
        login_attempt_end(attempt, password_was_wrong=False)
    login_failures_clear(username=user.get_username())


def connect_signals() -> None:
    user_login_failed.connect(_on_login_failed, dispatch_uid="accounts.login_failed")
    user_logged_in.connect(_on_logged_in, dispatch_uid="accounts.logged_in")
