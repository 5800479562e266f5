"""URL converters for ids: a URL whose id is not shaped like an id is a 404 before any view runs.

The shapes the gateway's services use (docs/contract/data-board.md#ids-and-timestamps, flows.md#errors):

- data-board (boards, items, fields, options, folders, files) and assistants: ``crypto.randomUUID()``,
  e.g. ``9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d``;
- rows migrated from Mongo keep their ids: boards ``brd_<uuid>``, items ``bi_<uuid>``, fields and
  folders 24-hex ObjectIds (``6694aaa932801761f155b140``);
- activepieces (flows, runs): 21 characters of ``[0-9A-Za-z]``; flow steps are named ``step_1``,
  ``trigger``;
- the console's own tokens (CSV imports, chat turns): ``secrets.token_urlsafe``.

The data-board's id columns are free text, so rather than reject a real id of a shape not listed
here, ``gid`` accepts what every one of them is made of: letters, digits, ``_`` and ``-``, up to 128.
Never a ``.`` (so never ``.`` or ``..``), a ``/``, ``%``, a control character or other Unicode: an id
like that is a 404 here, and the gateway client refuses to send one anyway
(``imbrace_console.gateway.gateway_path``).
"""

from __future__ import annotations

import re

from django.urls import register_converter

GATEWAY_ID = r"[A-Za-z0-9_-]{1,128}"
_GATEWAY_ID = re.compile(GATEWAY_ID)


def is_gateway_id(value: object) -> bool:
    """Whether ``value`` is shaped like a gateway id (for ids that arrive in forms rather than URLs)."""
    return isinstance(value, str) and _GATEWAY_ID.fullmatch(value) is not None


class GatewayIdConverter:
    """``<gid:board_id>``: an id of a gateway object."""

    regex = GATEWAY_ID

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


class TokenConverter(GatewayIdConverter):
    """``<token:token>``: a console token from ``secrets.token_urlsafe`` (16 bytes or more)."""

    regex = r"[A-Za-z0-9_-]{16,128}"


# Imported by each app's urls.py; Python imports a module once, so these register once.
register_converter(GatewayIdConverter, "gid")
register_converter(TokenConverter, "token")
