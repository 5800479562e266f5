"""Each dashboard test starts and ends with this process's measurement buffer empty."""

from __future__ import annotations

import pytest

from apps.ops import aggregates


@pytest.fixture(autouse=True)
def empty_buffer():
    with aggregates._lock:
        aggregates._buffer.clear()
    yield
    with aggregates._lock:
        aggregates._buffer.clear()
