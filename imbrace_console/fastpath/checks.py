"""Django's security checks, run with the console's middleware subclasses recognised.

Django's deploy checks (``django/core/checks/security/{base,csrf,sessions}.py``)
find its middleware by dotted path: ``"django.middleware.security.SecurityMiddleware"
in settings.MIDDLEWARE``. The subclasses in ``fastpath.middleware`` have other
paths, so with them Django would warn that the middleware is missing
(security.W001-W003) and skip every check that needs it (HSTS, the HTTPS
redirect, nosniff, X-Frame-Options, referrer policy, COOP, the secure CSRF
cookie). Here each of those check functions is registered again in place of
Django's, running Django's own code against ``MIDDLEWARE`` as Django would see
it: every entry that subclasses one of Django's middleware classes is named
by that class's path. The ids, messages and levels stay Django's and nothing
is silenced. With Django's own middleware the list is unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.checks.registry import registry
from django.core.checks.security import base, csrf, sessions
from django.utils.module_loading import import_string

# The middleware Django's checks look for by path.
DJANGO_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
)
CHECK_MODULES = (base, csrf, sessions)


def as_django_names(middleware: list[str]) -> list[str]:
    """``middleware`` with each subclass of a class in ``DJANGO_MIDDLEWARE`` named by that class."""
    parents = {path: import_string(path) for path in DJANGO_MIDDLEWARE}
    named = []
    for path in middleware:
        cls = import_string(path)
        named.append(next((p for p, parent in parents.items() if issubclass(cls, parent)), path))
    return named


@contextmanager
def _middleware_as_django_sees_it() -> Iterator[None]:
    original = settings.MIDDLEWARE
    settings.MIDDLEWARE = as_django_names(original)
    try:
        yield
    finally:
        settings.MIDDLEWARE = original


def recognising_subclasses(check: Callable) -> Callable:
    @functools.wraps(check)
    def wrapped(app_configs, **kwargs):
        with _middleware_as_django_sees_it():
            return check(app_configs, **kwargs)

    return wrapped


def _django_security_checks() -> Iterator[tuple[Callable, bool]]:
    """Each registered check of Django's security modules, with whether it is a deploy check."""
    for deploy, checks in ((False, registry.registered_checks), (True, registry.deployment_checks)):
        for check in list(checks):
            if any(check.__module__ == module.__name__ for module in CHECK_MODULES):
                yield check, deploy


@functools.cache  # once per process
def recognise_subclassed_middleware() -> None:
    """Replace each of Django's security checks by the same check run with the subclasses recognised."""
    for check, deploy in list(_django_security_checks()):
        (registry.deployment_checks if deploy else registry.registered_checks).discard(check)
        registry.register(recognising_subclasses(check), *check.tags, deploy=deploy)
