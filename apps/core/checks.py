"""System checks for the async-native middleware subclasses.

Django's deploy checks look for its middleware by dotted path, so they miss
the subclasses in ``apps/core/async_middleware.py``; the three checks they
would raise (security.W001-W003) are silenced in settings and these take
their place: each protection must be present, as ours or as Django's.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

REQUIRED = {
    "security headers, HSTS and the HTTPS redirect": (
        "apps.core.async_middleware.SecurityMiddleware",
        "django.middleware.security.SecurityMiddleware",
    ),
    "X-Frame-Options": (
        "apps.core.async_middleware.XFrameOptionsMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ),
    "CSRF protection": (
        "apps.core.async_middleware.CsrfViewMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ),
}


@register(Tags.security, deploy=True)
def check_protective_middleware(app_configs, **kwargs) -> list[Error]:
    return [
        Error(f"No middleware provides {purpose}: add {paths[0]} to MIDDLEWARE.", id="core.E001")
        for purpose, paths in REQUIRED.items()
        if not any(path in settings.MIDDLEWARE for path in paths)
    ]
