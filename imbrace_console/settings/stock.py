"""The test settings with every override of Django switched back to Django's own (``fastpath.stock``).

``make test SETTINGS=stock`` runs the suite with these (and ``CONSOLE_STOCK_DJANGO=1``
for the consoles it starts under uvicorn), so no feature may depend on an override.
"""

from imbrace_console.fastpath.stock import stock

from .test import *  # noqa: F403

globals().update(stock(globals()))
