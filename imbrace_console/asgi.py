"""ASGI entry point: ``uvicorn imbrace_console.asgi:application``.

Django's own handler and middleware, with raw-body uploads streamed to the
views that ask for them (``imbrace_console.streaming``).
"""

import os

import django

from imbrace_console.streaming import ConsoleASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.dev")

# What django.core.asgi.get_asgi_application does, with the streaming handler.
django.setup(set_prefix=False)
application = ConsoleASGIHandler()
