"""ASGI entry point: ``uvicorn imbrace_console.asgi:application``.

The console's handler (``imbrace_console.fastpath.asgi``: raw-body uploads
streamed to the views that ask for them, no thread per request for async
views), or Django's own when ``CONSOLE_FASTPATH`` is off (stock settings).
"""

import gc
import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.urls import get_resolver

from imbrace_console.fastpath.asgi import ConsoleASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.dev")

# What django.core.asgi.get_asgi_application does, with the console's handler unless switched off.
django.setup(set_prefix=False)
application = ConsoleASGIHandler() if settings.CONSOLE_FASTPATH else ASGIHandler()

# Import every view now rather than on the first request, then move what is loaded
# (it lives as long as the process) out of the collector's way: a full collection
# then looks at the objects made since, not at Django itself. After some chat
# traffic, a forced full collection paused the console for 31 ms; with this, 6 ms.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and its views
gc.collect()
gc.freeze()
