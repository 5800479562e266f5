"""``check --deploy`` sees every production security setting, with the console's middleware subclasses in place.

The production settings are loaded as production loads them; each security
setting is then switched off in turn, and Django's checks (run with the
subclasses recognised: ``imbrace_console.fastpath.checks``) must report it.
"""

from __future__ import annotations

import importlib
import secrets
import sys

import pytest
from django.core.checks import Tags, run_checks
from django.test import override_settings

from imbrace_console.fastpath.checks import as_django_names

# What Django's security checks read, as the production settings have it.
SECURITY_SETTINGS = (
    "DEBUG", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "ALLOWED_HOSTS", "MIDDLEWARE", "SILENCED_SYSTEM_CHECKS",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "SECURE_CSP",
)  # fmt: skip


@pytest.fixture(scope="module")
def production() -> dict:
    saved = {name: sys.modules.pop(name, None) for name in ("imbrace_console.settings.production",)}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))
        env.setenv("DJANGO_ALLOWED_HOSTS", "console.example.com")
        module = importlib.import_module("imbrace_console.settings.production")
    sys.modules.pop("imbrace_console.settings.production")
    sys.modules.update({name: module for name, module in saved.items() if module is not None})
    return {name: getattr(module, name) for name in SECURITY_SETTINGS if hasattr(module, name)}


def deploy_issues(settings: dict) -> set[str]:
    with override_settings(**settings):
        messages = run_checks(include_deployment_checks=True, tags=[Tags.security])
        return {message.id for message in messages if not message.is_silenced()}


def without(middleware: list[str], django_path: str) -> list[str]:
    return [path for path, named in zip(middleware, as_django_names(middleware), strict=True) if named != django_path]


def test_the_production_settings_pass_with_nothing_silenced(production):
    assert production.get("SILENCED_SYSTEM_CHECKS", []) == []
    assert deploy_issues(production) == set()


def test_the_console_runs_subclasses_that_django_finds_by_their_parents(production):
    """What the other tests rely on: with the fast path on, the production middleware are not Django's paths."""
    middleware = production["MIDDLEWARE"]
    assert "django.middleware.security.SecurityMiddleware" in as_django_names(middleware)
    assert "django.middleware.csrf.CsrfViewMiddleware" in as_django_names(middleware)


OFF = [
    ("SECURE_HSTS_SECONDS", 0, "security.W004"),
    ("SECURE_HSTS_INCLUDE_SUBDOMAINS", False, "security.W005"),
    ("SECURE_HSTS_PRELOAD", False, "security.W021"),
    ("SECURE_SSL_REDIRECT", False, "security.W008"),
    ("SECURE_CONTENT_TYPE_NOSNIFF", False, "security.W006"),
    ("X_FRAME_OPTIONS", "SAMEORIGIN", "security.W019"),
    ("SECURE_REFERRER_POLICY", None, "security.W022"),
    ("SECURE_REFERRER_POLICY", "no-such-policy", "security.E023"),
    ("SECURE_CROSS_ORIGIN_OPENER_POLICY", None, "core.W001"),
    ("SECURE_CROSS_ORIGIN_OPENER_POLICY", "no-such-policy", "security.E024"),
    ("SESSION_COOKIE_SECURE", False, "security.W012"),
    ("SESSION_COOKIE_HTTPONLY", False, "security.W015"),
    ("CSRF_COOKIE_SECURE", False, "security.W016"),
    ("SECRET_KEY", "short", "security.W009"),
    ("SECRET_KEY", "django-insecure-" + "x" * 50, "security.W009"),
    ("DEBUG", True, "security.W018"),
    ("ALLOWED_HOSTS", [], "security.W020"),
]


@pytest.mark.parametrize(("name", "value", "issue"), OFF, ids=[f"{n}={v!r}" for n, v, _ in OFF])
def test_each_security_setting_switched_off_is_reported(production, name, value, issue):
    assert issue in deploy_issues({**production, name: value})


MISSING = [
    ("django.middleware.security.SecurityMiddleware", "security.W001"),
    ("django.middleware.clickjacking.XFrameOptionsMiddleware", "security.W002"),
    ("django.middleware.csrf.CsrfViewMiddleware", "security.W003"),
]


@pytest.mark.parametrize(("django_path", "issue"), MISSING, ids=[issue for _, issue in MISSING])
def test_each_protective_middleware_taken_out_is_reported(production, django_path, issue):
    assert issue in deploy_issues({**production, "MIDDLEWARE": without(production["MIDDLEWARE"], django_path)})
