"""``/healthz``, ``/readyz`` and ``/metrics``: for load balancers, orchestrators and Prometheus, no log-in."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from imbrace_console.gateway import get_client

from .metrics import database_exposition, exposition

logger = logging.getLogger("imbrace_console.ops")

# A gateway route behind the gateway's credential check, as every route the console uses.
GATEWAY_READY_PATH = "/data-board/health"


def _json(body: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


@login_not_required
@never_cache
@require_GET
async def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: no database, no gateway."""
    return _json({"status": "ok"})


def _database_ping() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        connection.close()  # the next ping (and request) opens a new one
        raise


async def _gateway_ping() -> None:
    await get_client().request("GET", GATEWAY_READY_PATH)


async def _check(name: str, step) -> dict:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(step(), settings.CONSOLE_READY_TIMEOUT)
    except Exception as exc:  # any failure makes the check fail; the reason is shown, never a trace
        logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
        reason = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"[:300]
        return {"ok": False, "seconds": round(time.perf_counter() - started, 4), "error": reason}
    return {"ok": True, "seconds": round(time.perf_counter() - started, 4)}


@login_not_required
@never_cache
@require_GET
async def readyz(request: HttpRequest) -> HttpResponse:
    """The database and the gateway answer: 200, else 503; each check's result and time as JSON."""
    database, gateway = await asyncio.gather(
        _check("database", sync_to_async(_database_ping)), _check("gateway", _gateway_ping)
    )
    checks = {"database": database, "gateway": gateway}
    ready = all(check["ok"] for check in checks.values())
    return _json({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token equal to ``CONSOLE_METRICS_TOKEN``, or a direct request from ``CONSOLE_METRICS_ALLOWED_IPS``.

    Direct: no ``X-Forwarded-For``. Through a proxy the peer is the proxy, so only the token opens it.
    """
    token = settings.CONSOLE_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if peer.version == 6 and peer.ipv4_mapped:
        peer = peer.ipv4_mapped
    return any(peer in ipaddress.ip_network(entry, strict=False) for entry in settings.CONSOLE_METRICS_ALLOWED_IPS)


@login_not_required
@never_cache
@require_GET
async def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; every worker of this host in one view (multiprocess mode)."""
    if not metrics_allowed(request):
        return HttpResponse("Metrics are not available from this address.\n", status=403, content_type="text/plain")
    # The files of every worker off the loop; the database read in Django's own thread for it.
    body = await sync_to_async(exposition, thread_sensitive=False)() + await sync_to_async(database_exposition)()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
