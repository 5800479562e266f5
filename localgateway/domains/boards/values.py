"""Item values: how data-board coerces what it is sent, and how it reads stored values back."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from .schema import COUNTRIES, EVENT_ATTR, SCRIPT_TAG
from .validation import _error

# --- Item values ----------------------------------------------------------------------------


def _js_number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def parse_float(value: Any) -> float | None:
    """JavaScript's ``parseFloat``: the longest numeric prefix, else NaN (None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else float(value)
    match = re.match(r"\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)", str(value))
    return float(match.group(1)) if match else None


def parse_date(value: Any) -> datetime | None:
    """``new Date(v)`` for the shapes clients send: epoch ms, ISO dates and datetimes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00Z"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _clean_text(value: Any) -> str:
    text = value if isinstance(value, str) else js_string(value)
    return EVENT_ATTR.sub("", SCRIPT_TAG.sub("", text)).strip()


def js_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(_js_number(value))
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join(js_string(v) for v in value)
    return str(value)


def _option_match(field: dict, value: Any) -> bool:
    text = str(value).strip()
    return any(text in (o.get("id"), o.get("_id"), str(o.get("value", "")).strip()) for o in field.get("data") or [])


def _attachment(value: Any) -> list[dict]:
    entries: list[Any] = []
    for part in value if isinstance(value, list) else [value]:
        if isinstance(part, str):
            entries.extend(url.strip() for url in part.split(";") if url.strip())
        elif isinstance(part, dict):
            entries.append(part)
    result = []
    for entry in entries:
        if isinstance(entry, str):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            result.append({"type": "url", "data": {"name": name, "url": entry}})
        elif "type" in entry and isinstance(entry.get("data"), dict):
            result.append(entry)
        else:
            keys = ("name", "url", "key", "uploader", "user_id", "uploadDate", "extension")
            result.append({"type": "file", "data": {k: entry[k] for k in keys if k in entry}})
    return result


def process_value(field: dict, value: Any) -> Any:
    """What the service stores for one field's value (data-board.md#items); raises ApiError for invalid options."""
    if value is None or value == "":
        return None
    kind = field.get("type")
    settings = field.get("settings") or {}
    if kind in ("ShortText", "LongText", "Notes"):
        return _clean_text(value)
    if kind == "Email":
        return js_string(value).strip().lower()
    if kind == "Number":
        number = parse_float(value)
        return None if number is None else _js_number(number)
    if kind == "Checkbox":
        return value is True or value == "true"
    if kind in ("Date", "Datetime"):
        moment = parse_date(value)
        if moment is None:
            raise ValueError("Invalid time value")
        return iso(moment)
    if kind == "Phone":
        if isinstance(value, dict):
            return value
        digits = re.sub(r"\D", "", js_string(value))
        code = re.sub(r"\D", "", str(settings.get("countryCode") or ""))
        if code and not js_string(value).strip().startswith("+"):
            digits = code + digits
        return "+" + digits
    if kind == "Country":
        if isinstance(value, dict):
            return value
        code = js_string(value).strip().upper()
        return {"country_code": code, "country_name": COUNTRIES.get(code, code)}
    if kind == "Currency":
        if isinstance(value, dict):
            amount = parse_float(value.get("amounts"))
            return {**value, "amounts": None if amount is None else _js_number(amount)}
        amount = parse_float(value)
        code = settings.get("default_currency_code")
        return {"amounts": None if amount is None else _js_number(amount), "currency_code": code or None}
    if kind == "Link":
        return js_string(value).strip()
    if kind == "Attachment":
        return _attachment(value)
    if kind == "SingleSelection":
        if field.get("data") and not _option_match(field, value):
            raise _error(400, f"Field '{field.get('name')}': Invalid option selected")
        return value
    if kind == "MultipleSelection":
        if not isinstance(value, list):
            raise _error(400, f"Field '{field.get('name')}': Invalid options selected")
        if field.get("data") and not all(_option_match(field, v) for v in value):
            raise _error(400, f"Field '{field.get('name')}': Invalid options selected")
        return value
    return value


def _label(field: dict, value: Any) -> Any:
    for option in field.get("data") or []:
        if value in (option.get("id"), option.get("_id")):
            return option.get("value")
    return value


def read_value(field: dict | None, value: Any) -> Any:
    """A stored value as item reads return it: selection ids become their labels."""
    if field is None or value is None:
        return value
    if field.get("type") in ("SingleSelection", "Priority"):
        return _label(field, value)
    if field.get("type") == "MultipleSelection" and isinstance(value, list):
        return [_label(field, v) for v in value]
    return value


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def search_text(values: dict) -> str:
    parts = []
    for value in values.values():
        if value is None:
            continue
        parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return " ".join(parts)
