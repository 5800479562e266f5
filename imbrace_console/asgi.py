"""ASGI entry point: ``uvicorn imbrace_console.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.dev")

application = get_asgi_application()
