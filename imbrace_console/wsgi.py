"""WSGI entry point, for servers without ASGI. The console is built for ASGI (see asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.dev")

application = get_wsgi_application()
