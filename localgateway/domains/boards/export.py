"""CSV export cells and windows, as data-board's ``export_csv`` writes them."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .schema import NOTES_PLACEHOLDER
from .values import _label, js_string, parse_date, parse_float

# --- CSV export -----------------------------------------------------------------------------


def _months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _day_bound(text: str, zone: ZoneInfo, *, end: bool) -> datetime:
    moment = parse_date(text)
    if moment is None:
        raise ValueError(f"Invalid date: {text}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        local = datetime.fromisoformat(text.strip()).replace(tzinfo=zone)
        moment = local + timedelta(days=1) - timedelta(milliseconds=1) if end else local
    return moment.astimezone(UTC)


def export_window(
    params: dict[str, str], zone: ZoneInfo, now: datetime
) -> tuple[datetime | None, datetime | None, str]:
    """The range an export covers and its filename part (``all``, ``YYYYMMDD-YYYYMMDD``, ``begin-…``)."""

    def day(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y%m%d")

    if params.get("all") in ("true", "1"):
        return None, None, "all"
    start: datetime | None
    end: datetime | None
    if params.get("quick_range"):
        spans = {"week": None, "month": 1, "3months": 3, "6months": 6, "12months": 12}
        if params["quick_range"] not in spans:
            raise ValueError(f"Invalid quick_range: {params['quick_range']}")
        months = spans[params["quick_range"]]
        start, end = (now - timedelta(days=7) if months is None else _months_before(now, months)), now
    elif params.get("start_date") or params.get("end_date"):
        start = _day_bound(params["start_date"], zone, end=False) if params.get("start_date") else None
        end = _day_bound(params["end_date"], zone, end=True) if params.get("end_date") else now
    elif params.get("time"):
        moment = parse_date(params["time"])
        if moment is None:
            raise ValueError(f"Invalid time: {params['time']}")
        local = moment.astimezone(zone)
        first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        last_day = calendar.monthrange(first.year, first.month)[1]
        start = first.astimezone(UTC)
        end = (first.replace(day=last_day) + timedelta(days=1) - timedelta(milliseconds=1)).astimezone(UTC)
    else:
        start, end = _months_before(now, 1), now
    label = f"{day(start)}-{day(end)}" if start is not None else f"begin-{day(end)}"
    return start, end, label


def stamp(value: str | None, zone: ZoneInfo, fmt: str = "%m/%d/%Y %H:%M") -> str:
    moment = parse_date(value) if value else None
    return moment.astimezone(zone).strftime(fmt) if moment else ""


def _currency(value: Any) -> str:
    if not isinstance(value, dict):
        return js_string(value)
    amount = parse_float(value.get("amounts"))
    if amount is None:
        return ""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    code = value.get("currency_code")
    return f"{code} {text}" if code else text


def export_cell(field: dict, value: Any, zone: ZoneInfo) -> str:
    """One value as the export writes it (data-board.md#csv-export)."""
    kind = field.get("type")
    if kind == "Notes":
        return NOTES_PLACEHOLDER
    if value is None or value == "":
        return ""
    if kind == "Attachment":
        return "; ".join(str((a.get("data") or {}).get("url", "")) for a in value if isinstance(a, dict))
    if kind == "Origin":
        return str((value.get("data") or {}).get("name", "")) if isinstance(value, dict) else js_string(value)
    if kind == "Assignee":
        return str(value.get("display_name", "")) if isinstance(value, dict) else js_string(value)
    if kind == "Phone":
        return str(value.get("calling_code_with_number", "")) if isinstance(value, dict) else js_string(value)
    if kind == "Country":
        return str(value.get("country_name", "")) if isinstance(value, dict) else js_string(value)
    if kind == "Date":
        return stamp(value, ZoneInfo("UTC"), "%m/%d/%Y")
    if kind == "Datetime":
        return stamp(value, zone)
    if kind == "Time":
        return stamp(value, zone, "%H:%M") if parse_date(value) else js_string(value)
    if kind == "MultipleSelection":
        return ", ".join(js_string(_label(field, v)) for v in value) if isinstance(value, list) else js_string(value)
    if kind == "Currency":
        return _currency(value)
    if kind == "Checkbox":
        return "Checked" if value is True else "Not checked"
    return js_string(value)


def csv_line(cells: list[str]) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
