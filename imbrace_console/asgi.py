"""ASGI entry point: ``uvicorn imbrace_console.asgi:application``.

Django's own handler and middleware, with raw-body uploads streamed to the
views that ask for them (``imbrace_console.streaming``).
"""

import gc
import os

import django
from django.urls import get_resolver

from imbrace_console.streaming import ConsoleASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.dev")

# What django.core.asgi.get_asgi_application does, with the streaming handler.
django.setup(set_prefix=False)
application = ConsoleASGIHandler()

# Import every view now rather than on the first request, then move what is loaded
# (it lives as long as the process) out of the collector's way: a full collection
# then looks at the objects made since, not at Django itself. After some chat
# traffic, a forced full collection paused the console for 31 ms; with this, 6 ms.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and its views
gc.collect()
gc.freeze()
