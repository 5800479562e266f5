"""Every override switched back to Django's own: the settings that name one, rewritten.

Used by ``imbrace_console.settings.stock`` (the suite's second run in CI) and
by ``base.py`` when ``CONSOLE_STOCK_DJANGO=1`` (an instant fallback in any
environment). ``imbrace_console.asgi`` reads ``CONSOLE_FASTPATH`` for the
handler. Imports nothing, so settings modules can use it.
"""

from __future__ import annotations

from typing import Any

FAST = "imbrace_console.fastpath"

STOCK = {
    f"{FAST}.middleware.SecurityMiddleware": "django.middleware.security.SecurityMiddleware",
    f"{FAST}.middleware.SessionMiddleware": "django.contrib.sessions.middleware.SessionMiddleware",
    f"{FAST}.middleware.CommonMiddleware": "django.middleware.common.CommonMiddleware",
    f"{FAST}.middleware.CsrfViewMiddleware": "django.middleware.csrf.CsrfViewMiddleware",
    f"{FAST}.middleware.AuthenticationMiddleware": "django.contrib.auth.middleware.AuthenticationMiddleware",
    f"{FAST}.middleware.LoginRequiredMiddleware": "django.contrib.auth.middleware.LoginRequiredMiddleware",
    f"{FAST}.middleware.MessageMiddleware": "django.contrib.messages.middleware.MessageMiddleware",
    f"{FAST}.middleware.XFrameOptionsMiddleware": "django.middleware.clickjacking.XFrameOptionsMiddleware",
    f"{FAST}.middleware.ContentSecurityPolicyMiddleware": "django.middleware.csp.ContentSecurityPolicyMiddleware",
    f"{FAST}.sessions": "django.contrib.sessions.backends.db",
    f"{FAST}.backends.ModelBackend": "django.contrib.auth.backends.ModelBackend",
    f"{FAST}.templates.DjangoTemplates": "django.template.backends.django.DjangoTemplates",
}


def stock(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings among ``settings`` that name an override, each naming Django's class instead."""
    return {
        "CONSOLE_FASTPATH": False,
        "MIDDLEWARE": [STOCK.get(path, path) for path in settings["MIDDLEWARE"]],
        "SESSION_ENGINE": STOCK.get(settings["SESSION_ENGINE"], settings["SESSION_ENGINE"]),
        "AUTHENTICATION_BACKENDS": [STOCK.get(path, path) for path in settings["AUTHENTICATION_BACKENDS"]],
        "TEMPLATES": [
            {**engine, "BACKEND": STOCK.get(engine["BACKEND"], engine["BACKEND"])} for engine in settings["TEMPLATES"]
        ],
    }
