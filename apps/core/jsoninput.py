"""JSON that a user typed (a flow's trigger payload, a tool's parameter schema, a response body): parsed with limits.

``json.loads`` alone accepts what the gateway cannot store (``NaN``, ``Infinity``,
``1e999``, which it reads as infinity) and fails with ``RecursionError`` or a
bare ``ValueError`` on some inputs (100,000 nested ``[``; an integer of 5,000
digits), which a form does not catch. ``parse_json`` turns each of those into a
``JsonInputError`` whose message is a sentence for beside the editor:

- at most ``MAX_CHARS`` characters and ``MAX_DEPTH`` levels of objects and arrays
  (the depth is counted by a scan of the text before parsing, never by recursion);
- no ``NaN``, ``Infinity`` or ``-Infinity``, and no number too large for a double
  (``1e999``, an integer of more than 308 digits): the gateway would read it as
  ``Infinity`` or refuse it;
- no unpaired surrogate escape (``"\\ud800"``): it is not text, and the database
  and the page encoder both refuse it later.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from itertools import accumulate
from typing import Any

MAX_CHARS = 1_000_000
MAX_DEPTH = 100
# A double's largest finite value has 309 digits; anything longer is infinity to the gateway.
MAX_INT_DIGITS = 308

# Strings (escapes included) are cut out before brackets are counted: a bracket in a string is not nesting.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # opening +1, closing -1 (as signed bytes)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonInputError(ValueError):
    """JSON a user typed that cannot be used; ``str(error)`` says why, for the page.

    ``kind``: "syntax" (not JSON at all), "size", "depth", "number" (NaN, infinities) or "text" (a lone surrogate).
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _depth(text: str) -> int:
    """How deep ``text`` nests objects and arrays: the most brackets open at once, strings left out.

    Counted without recursion and without a Python loop over characters (a 1 MB text takes milliseconds):
    the brackets become +1 and -1 bytes and ``accumulate`` gives the running count.
    """
    outside_strings = _STRING.sub("", text).encode("utf-8", "surrogatepass")
    return max(accumulate(array("b", outside_strings.translate(_STEPS, _NOT_BRACKETS))), default=0)


def _reject_constant(name: str) -> Any:
    raise JsonInputError(
        f"holds {name}, which JSON does not allow: write a number or null, or put it in quotes.", "number"
    )


def _too_large(literal: str) -> JsonInputError:
    return JsonInputError(
        f"holds the number {_shown(literal)}, too large for a JSON number (it would arrive as Infinity):"
        " put it in quotes to keep it as text.",
        "number",
    )


def _float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _too_large(literal)
    return value


def _int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _too_large(literal)
    return int(literal)


def _shown(literal: str) -> str:
    return literal if len(literal) <= 24 else f"{literal[:12]}...{literal[-6:]} ({len(literal)} characters)"


def parse_json(text: str, *, what: str = "The JSON", max_chars: int = MAX_CHARS, max_depth: int = MAX_DEPTH) -> Any:
    """The value ``text`` holds, or ``JsonInputError`` saying (about ``what``, e.g. "The payload") what is wrong."""
    if len(text) > max_chars:
        raise JsonInputError(f"{what} is too long: {len(text):,} characters, the limit is {max_chars:,}.", "size")
    if _depth(text) > max_depth:
        raise JsonInputError(
            f"{what} is nested too deeply: more than {max_depth} levels of objects and arrays.", "depth"
        )
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_float, parse_int=_int)
    except JsonInputError as exc:
        raise JsonInputError(f"{what} {exc}", "number") from None
    except json.JSONDecodeError as exc:
        message = f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        raise JsonInputError(message, "syntax") from None
    except RecursionError:  # the scan above stops this first; kept so no input can reach a 500
        raise JsonInputError(f"{what} is nested too deeply.", "depth") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JsonInputError(
                f"{what} holds an unpaired surrogate escape (such as \\ud800), which is not text: remove it.", "text"
            ) from None
    return value
