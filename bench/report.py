"""The targets from the issue, and the table ``make bench`` prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    text: str
    met: Callable[[float, float | None], bool]


def _overhead_at_most(limit: float) -> Target:
    def met(console: float, direct: float | None) -> bool:
        return direct is not None and console - direct <= limit

    return Target(f"console - direct <= {limit:g}", met)


TARGETS: dict[str, Target] = {
    "chat_first_event_ms_p50@50": _overhead_at_most(10),
    "chat_dropped@500": Target("0 dropped", lambda console, direct: console == 0),
    "chat_rss_per_stream_kb@500": Target("<= 64 KB", lambda console, direct: console <= 64),
    "chat_disconnect_to_upstream_close_ms": Target("<= 250 ms", lambda console, direct: console <= 250),
    "upload_1gib_throughput_mb_s": Target(
        ">= 80% of direct", lambda console, direct: direct is not None and console >= 0.8 * direct
    ),
    "upload_1gib_rss_growth_mb": Target("< 16 MB", lambda console, direct: console < 16),
    "upload_stall_ms_max": Target("<= 50 ms", lambda console, direct: console <= 50),
    "board_items_page_ms_p95": _overhead_at_most(20),
}


def judge(records: list[dict]) -> None:
    """Add ``target`` and ``met`` to the records that have a target and a value."""
    for row in records:
        target = TARGETS.get(row["case"])
        if target is None:
            continue
        row["target"] = target.text
        row["met"] = None if row["console"] is None else target.met(row["console"], row["direct"])


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def table(records: list[dict]) -> str:
    header = ("case", "console", "direct", "unit", "n", "target", "note")
    rows = [header]
    for row in records:
        verdict = {True: "met", False: "MISSED", None: "-"}[row.get("met")] if "target" in row else ""
        target = f"{row['target']}: {verdict}" if verdict else ""
        rows.append(
            (
                row["case"],
                _number(row["console"]),
                _number(row["direct"]),
                row["unit"],
                str(row["n"]),
                target,
                str(row.get("note", "")),
            )
        )
    widths = [max(len(row[index]) for row in rows) for index in range(len(header) - 1)]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(width) if 0 < index < 5 else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
