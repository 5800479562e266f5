"""Static file URLs, remembered: the same answers as the storages underneath, in production and here."""

from __future__ import annotations

import re
import secrets

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.templatetags.static import static

from apps.core.storage import RememberedStaticFilesStorage
from tests.trust.test_production_settings import manage


def test_urls_are_the_storages_own_and_asked_once():
    remembered = RememberedStaticFilesStorage()
    assert remembered.url("css/console.css") == StaticFilesStorage().url("css/console.css")
    remembered.url("css/console.css")
    assert list(remembered._urls) == ["css/console.css"]
    assert static("css/console.css") == "/static/css/console.css"


def test_production_gives_the_hashed_names_from_its_manifest(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "console.example.com",
        "CONSOLE_STATIC_ROOT": str(tmp_path / "static"),
    }
    collected = manage("collectstatic", "--no-input", "-v", "0", **env)
    assert collected.returncode == 0, collected.stderr
    script = (
        "from django.templatetags.static import static;"
        "from django.contrib.staticfiles.storage import staticfiles_storage as s;"
        "print(static('css/console.css'), static('css/console.css'), type(s._wrapped).__name__, len(s._urls))"
    )
    shown = manage("shell", "-c", script, **env)
    assert shown.returncode == 0, shown.stderr
    first, second, storage, remembered = shown.stdout.strip().splitlines()[-1].split()
    assert re.fullmatch(r"/static/css/console\.[0-9a-f]{12}\.css", first) and second == first
    assert storage == "RememberedCompressedManifestStaticFilesStorage" and remembered == "1"
