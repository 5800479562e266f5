"""Local use (``make run``, ``manage.py``). DEBUG stays off unless DJANGO_DEBUG=1:
the console a new user meets should show friendly error pages, not tracebacks."""

from .base import *  # noqa: F403
from .base import DEBUG

# With DEBUG on, serve static files straight from their sources and pick up edits.
SERVESTATIC_USE_FINDERS = DEBUG
SERVESTATIC_AUTOREFRESH = DEBUG
