"""Small helpers every area's views share: partial rendering, toasts, errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from imbrace_console.gateway.errors import (
    GatewayAuthError,
    GatewayError,
    GatewayNotFound,
    GatewayTimeout,
    GatewayUnavailable,
)


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or ``template#partial`` for an HTMX request that targets part of it.

    Boosted navigation and history restores get the whole page: htmx swaps the body.
    """
    htmx = request.htmx
    wants_partial = bool(partial and htmx and not htmx.boosted and not htmx.history_restore_request)
    name = f"{template}#{partial}" if wants_partial else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def add_toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Ask the page to show a toast (``HX-Trigger``), merged with any other trigger."""
    return trigger_client_event(response, "toast", {"message": message, "level": level})


def redirect_after_write(request: HttpRequest, to: str, *args, **kwargs) -> HttpResponse:
    """Go to the next page after a write: a redirect, or for HTMX a full load of it (``HX-Redirect``).

    ``to`` is a URL or a URL name, as for ``redirect()``. The HTMX answer is a 204, so htmx swaps
    nothing into the page it leaves.
    """
    url = resolve_url(to, *args, **kwargs)
    if request.htmx:
        return HttpResponseClientRedirect(url, status=204)
    return redirect(url)


def gateway_error_status(exc: GatewayError) -> int:
    if isinstance(exc, GatewayNotFound):
        return 404
    if isinstance(exc, GatewayTimeout):
        return 504
    if isinstance(exc, GatewayUnavailable | GatewayAuthError):
        return 503 if isinstance(exc, GatewayUnavailable) else 502
    return 502


def render_gateway_error(request: HttpRequest, exc: GatewayError, *, status: int | None = None) -> HttpResponse:
    """The shared error partial in place (HTMX) or the error page, with a Retry action.

    An HTMX write that failed is retargeted to the page's alert region, so the
    form the user typed into stays as it is.
    """
    status = status or gateway_error_status(exc)
    context = {"error": exc, "retry_url": request.get_full_path() if request.method == "GET" else ""}
    if request.htmx:
        response = TemplateResponse(request, "partials/gateway_error.html", context, status=status)
        if request.method != "GET":
            reswap(retarget(response, "#alerts"), "innerHTML")
        response = response.render()
    else:
        response = render(request, "core/gateway_error_page.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
