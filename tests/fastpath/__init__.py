"""Tests of the overrides of Django themselves (``imbrace_console/fastpath/``)."""

import pytest
from django.conf import settings

# For a test of what an override does beyond Django (no thread per request, nothing left in cycles, a body
# streamed as it arrives): under the stock settings (make test SETTINGS=stock) Django's own classes run instead.
fastpath_only = pytest.mark.skipif(
    not settings.CONSOLE_FASTPATH, reason="tests an override of Django; the stock settings switch it off"
)
