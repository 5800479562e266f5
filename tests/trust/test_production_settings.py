"""Production settings: ``check --deploy`` is clean, and the console refuses to start half-configured."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile

import pytest

from tests.support import ROOT


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # Model checks open the database: give them one that exists on a fresh clone (no var/ yet).
    database = os.path.join(tempfile.mkdtemp(), "console.sqlite3")
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "imbrace_console.settings.production", "CONSOLE_DB_PATH": database, **env}
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_has_no_warnings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48), DJANGO_ALLOWED_HOSTS="console.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_nothing_is_silenced():
    """Django's security checks run against the console's middleware subclasses (imbrace_console.fastpath.checks),
    so none of them is silenced; tests/fastpath/test_deploy_checks.py switches each setting off in turn."""
    script = "from django.conf import settings as s; print(sorted(s.SILENCED_SYSTEM_CHECKS))"
    result = manage(
        "shell", "-c", script, DJANGO_SECRET_KEY=secrets.token_urlsafe(48), DJANGO_ALLOWED_HOSTS="console.example.com"
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_check_deploy_reports_hsts_and_the_https_redirect_switched_off():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48), DJANGO_ALLOWED_HOSTS="console.example.com",
        DJANGO_HSTS_SECONDS="0", DJANGO_SECURE_SSL_REDIRECT="0",
    )  # fmt: skip
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "console.example.com"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "too-short", "DJANGO_ALLOWED_HOSTS": "console.example.com"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "insecure-" + "x" * 60, "DJANGO_ALLOWED_HOSTS": "h"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": secrets.token_urlsafe(48)}, "DJANGO_ALLOWED_HOSTS must name"),
    ],
)
def test_production_refuses_to_start_without_a_secret_key_and_hosts(env, complaint):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


def test_production_cookies_and_transport_are_locked_down():
    script = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = manage(
        "shell", "-c", script, DJANGO_SECRET_KEY=secrets.token_urlsafe(48), DJANGO_ALLOWED_HOSTS="console.example.com"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "False True True True ('HTTP_X_FORWARDED_PROTO', 'https') True __Host-sessionid True"
    )
