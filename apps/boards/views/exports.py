"""A board's items as a CSV download, relayed as the gateway sends it."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from apps.core.roles import Role, role_required

from .. import selectors, services


@require_GET
@role_required(Role.SUPPORT)
async def board_export(request: HttpRequest, board_id: str) -> StreamingHttpResponse:
    """Every item as CSV, relayed as it arrives; formulas made text unless ``?raw=1`` (the gateway's bytes)."""
    board = await selectors.board_get(board_id=board_id)
    raw = request.GET.get("raw") == "1"
    export = await services.board_export_start(
        actor=await request.auser(), board_id=board_id, board_name=board.get("name", ""), raw=raw
    )
    response = StreamingHttpResponse(export.chunks(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = _attachment(export.filename)
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
