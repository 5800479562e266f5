"""Chart data for the dashboard: one time axis and one line per gateway area.

The page puts each chart's data in its plot element's ``data-chart`` attribute (htmx drops script
elements from swapped fragments, so not a JSON script) that static/js/dashboard.js reads and draws
with uPlot; the same numbers are in a table beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.html import format_html_join
from django.utils.timezone import localtime

from apps.ops.selectors import GatewayHealth, Stat


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    times: list[datetime] = field(default_factory=list)
    lines: list[tuple[str, list[float | None]]] = field(default_factory=list)

    @property
    def json(self) -> str:
        """The data as JSON for the plot's ``data-chart`` attribute (escaped there by the template)."""
        return json.dumps(self.data(), separators=(",", ":"))

    def data(self) -> dict:
        """What dashboard.js draws: x as Unix seconds, one list of values per line (None: no calls)."""
        return {
            "title": self.title,
            "unit": self.unit,
            "x": [int(moment.timestamp()) for moment in self.times],
            "series": [{"label": name, "values": values} for name, values in self.lines],
        }

    def rows(self) -> list[tuple[datetime, list[float | None]]]:
        """The same numbers by time, for the table."""
        return [(moment, [values[index] for _, values in self.lines]) for index, moment in enumerate(self.times)]

    def table_rows(self) -> str:
        """The table's body rows as HTML, made here rather than in template loops (a week is 168 rows)."""
        fmt = "%a %H:%M" if len(self.times) > 60 else "%H:%M"
        return format_html_join(
            "",
            '<tr><th scope="row">{}</th>{}</tr>',
            (
                (
                    localtime(moment).strftime(fmt),
                    format_html_join("", "<td>{}</td>", (("\u2013" if value is None else value,) for value in values)),
                )
                for moment, values in self.rows()
            ),
        )


def _line(times: list[datetime], starts: list[datetime], stats: list[Stat], figure) -> list[float | None]:
    by_start = {start: figure(stat) for start, stat in zip(starts, stats, strict=True)}
    return [by_start.get(moment) for moment in times]


def gateway_charts(health: GatewayHealth) -> list[Chart]:
    times = sorted({start for line in health.series for start in line.starts})
    charts = [
        Chart("latency", "Latency p95 per area", "ms"),
        Chart("errors", "Errors per area", "%"),
    ]
    for line in health.series:
        p95 = _line(times, line.starts, line.stats, lambda stat: round(stat.p95, 1) if stat.p95 is not None else None)
        errors = _line(times, line.starts, line.stats, lambda stat: round(stat.error_percent, 1))
        charts[0].lines.append((line.name, p95))
        charts[1].lines.append((line.name, errors))
    for chart in charts:
        chart.times = times
    return charts
