"""The console's own measurements, kept as per-minute and per-hour aggregates (apps/ops/aggregates.py)."""

from __future__ import annotations

from django.db import models

from .aggregates import ERROR_CLASSES


class Aggregate(models.Model):
    """What one kind of work added up to in one minute (``span`` 60) or one hour (``span`` 3600).

    ``kind``: ``gateway`` (one call: area, key ``METHOD /route/{id}``, latency), ``chat`` (one turn: key
    the assistant, latency the time to the first word, ``dur_ms`` the whole answer, ``size`` words,
    ``extra`` tool calls), ``upload`` (one file: ``size`` bytes), ``import`` (one CSV import job: ``size``
    rows, ``extra`` rows refused), ``login`` (one lock-out: key the form). Rows are only added to:
    each process adds its buffered counts with ``F()`` increments, so workers and hosts share them.
    """

    span = models.PositiveIntegerField()
    start = models.DateTimeField()
    kind = models.CharField(max_length=16)
    area = models.CharField(max_length=32, blank=True)
    key = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)
    count = models.BigIntegerField(default=0)
    err_timeout = models.BigIntegerField(default=0)
    err_4xx = models.BigIntegerField(default=0)
    err_5xx = models.BigIntegerField(default=0)
    err_network = models.BigIntegerField(default=0)
    err_other = models.BigIntegerField(default=0)
    stopped = models.BigIntegerField(default=0)
    total_ms = models.FloatField(default=0)
    max_ms = models.FloatField(default=0)
    dur_ms = models.FloatField(default=0)
    size = models.BigIntegerField(default=0)
    extra = models.BigIntegerField(default=0)
    h0 = models.BigIntegerField(default=0)
    h1 = models.BigIntegerField(default=0)
    h2 = models.BigIntegerField(default=0)
    h3 = models.BigIntegerField(default=0)
    h4 = models.BigIntegerField(default=0)
    h5 = models.BigIntegerField(default=0)
    h6 = models.BigIntegerField(default=0)
    h7 = models.BigIntegerField(default=0)
    h8 = models.BigIntegerField(default=0)
    h9 = models.BigIntegerField(default=0)
    h10 = models.BigIntegerField(default=0)
    h11 = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["span", "kind", "start", "area", "key"], name="ops_aggregate_unique")
        ]
        indexes = [models.Index(fields=["start"], name="ops_aggregate_start")]

    def __str__(self) -> str:
        return f"{self.kind} {self.area} {self.key} {self.start:%Y-%m-%d %H:%M} x{self.count}"

    @property
    def errors(self) -> int:
        return sum(getattr(self, f"err_{name}") for name in ERROR_CLASSES)
