"""Fast, hermetic settings for the test suite (cookiecutter-django's habits)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import TEMPLATES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# In memory, unless DATABASE_URL names one (`make test DB=postgres`: base.py reads it, pytest-django
# creates and drops test_<name> beside it).
if not env("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
TEMPLATES[0]["OPTIONS"]["loaders"] = [
    (
        "django.template.loaders.cached.Loader",
        ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
    )
]
TEMPLATES[0]["APP_DIRS"] = False
IMBRACE_RETRY_BACKOFF = 0.01
# No flushing thread (it would use a connection of its own): tests call apps.ops.aggregates.flush().
CONSOLE_METRICS_FLUSH_SECONDS = 0
# Import uploads of the tests (tests/console/boards give each test a folder of its own).
MEDIA_ROOT = Path(tempfile.gettempdir()) / "imbrace-console-test-media"
