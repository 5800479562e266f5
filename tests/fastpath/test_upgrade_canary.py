"""Upgrade canary: fails when Django code that an override copies or relies on changes.

Each override in ``imbrace_console/fastpath/`` copies a piece of Django or
calls into parts of it that are not documented API. Their source is pinned
here by hash, as Django 6.1.3 has it. After a Django upgrade this test names
what changed: read the new Django code, bring the override (and its row in
``docs/overrides.md``) in line or drop the override, then record the new
hashes (``python -m tests.fastpath.test_upgrade_canary`` prints them).
"""

from __future__ import annotations

import hashlib
import inspect

import django
from django.utils.module_loading import import_string

CHECKED_WITH = "6.1.3"

# What each override copies or relies on, by override (docs/overrides.md has the why).
RELIED_ON = {
    "fastpath.asgi.ConsoleASGIHandler": [
        "django.core.handlers.asgi.ASGIHandler.__call__",
        "django.core.handlers.asgi.ASGIHandler.handle",
        "django.core.handlers.asgi.ASGIHandler.read_body",
        "django.core.handlers.asgi.ASGIHandler.create_request",
        "django.core.handlers.asgi.ASGIHandler.run_get_response",
        "django.core.handlers.asgi.ASGIHandler.send_response",
        "django.core.handlers.asgi.ASGIHandler.listen_for_disconnect",
        "django.core.handlers.asgi.ASGIHandler.chunk_bytes",
        "django.core.handlers.asgi.get_script_prefix",
        "django.core.handlers.base.BaseHandler.get_response_async",
    ],
    "fastpath.middleware": [
        "django.utils.deprecation.MiddlewareMixin.__acall__",
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.middleware.csp.ContentSecurityPolicyMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.contrib.auth.get_user",
    ],
    "fastpath.sessions.SessionStore": [
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
        "django.contrib.sessions.backends.db.SessionStore.load",
    ],
    "fastpath.backends.ModelBackend": [
        "django.contrib.auth.backends.ModelBackend.get_user",
        "django.contrib.auth.backends.ModelBackend.user_can_authenticate",
    ],
    "fastpath.templates.DjangoTemplates": [
        "django.template.backends.django.Template.render",
        "django.template.backends.django.DjangoTemplates.from_string",
        "django.template.backends.django.DjangoTemplates.get_template",
        "django.template.context.make_context",
    ],
    "fastpath.checks": [
        "django.core.checks.security.base._security_middleware",
        "django.core.checks.security.base._xframe_middleware",
        "django.core.checks.security.base._csp_middleware",
        "django.core.checks.security.csrf._csrf_middleware",
        "django.core.checks.security.sessions._session_middleware",
        "django.core.checks.registry.CheckRegistry.register",
    ],
}

# sha256 (first 16 hex digits) of inspect.getsource(...) of each, under Django CHECKED_WITH.
RECORDED = {
    "django.core.handlers.asgi.ASGIHandler.__call__": "f756809e9c9308dc",
    "django.core.handlers.asgi.ASGIHandler.handle": "c91f27c7fcdc3fff",
    "django.core.handlers.asgi.ASGIHandler.read_body": "88b4e284fc829700",
    "django.core.handlers.asgi.ASGIHandler.create_request": "5eae59c6696013ff",
    "django.core.handlers.asgi.ASGIHandler.run_get_response": "0234ea5fe09a5777",
    "django.core.handlers.asgi.ASGIHandler.send_response": "d91e83d2c6859eda",
    "django.core.handlers.asgi.ASGIHandler.listen_for_disconnect": "c729aa315c734f98",
    "django.core.handlers.asgi.ASGIHandler.chunk_bytes": "6c045731cd77bd2d",
    "django.core.handlers.asgi.get_script_prefix": "bd6e761a557ee4c5",
    "django.core.handlers.base.BaseHandler.get_response_async": "ad82c920df0cebbb",
    "django.utils.deprecation.MiddlewareMixin.__acall__": "adf8cbcaf9f11e45",
    "django.middleware.security.SecurityMiddleware": "7c0daafdd127de47",
    "django.middleware.common.CommonMiddleware": "d9906d67016a454f",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "b005c3dcd16801e1",
    "django.middleware.csp.ContentSecurityPolicyMiddleware": "23c2cd6da037dec7",
    "django.middleware.csrf.CsrfViewMiddleware": "d5f006440158835e",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "016788fb7214c6ed",
    "django.contrib.auth.middleware.LoginRequiredMiddleware": "188c61d6fbd0b1de",
    "django.contrib.sessions.middleware.SessionMiddleware": "81dfc7bdab259429",
    "django.contrib.messages.middleware.MessageMiddleware": "68bbf99a11d6e87e",
    "django.contrib.auth.get_user": "08a852f701f765bc",
    "django.contrib.sessions.backends.db.SessionStore._get_session_from_db": "775c8d22becd60bd",
    "django.contrib.sessions.backends.db.SessionStore.load": "89d644d66ff7dc2d",
    "django.contrib.auth.backends.ModelBackend.get_user": "ab2f0fe767938110",
    "django.contrib.auth.backends.ModelBackend.user_can_authenticate": "5b8b04b353c75ae1",
    "django.template.backends.django.Template.render": "4a1ec275ca1ac350",
    "django.template.backends.django.DjangoTemplates.from_string": "29dbf317d48ac80b",
    "django.template.backends.django.DjangoTemplates.get_template": "01480fb11fa0c984",
    "django.template.context.make_context": "a3d2a4696151e6f7",
    "django.core.checks.security.base._security_middleware": "e3e716d19c284d45",
    "django.core.checks.security.base._xframe_middleware": "617ba4b512a45824",
    "django.core.checks.security.base._csp_middleware": "b0df3dedfef47913",
    "django.core.checks.security.csrf._csrf_middleware": "fb71e62045d557b7",
    "django.core.checks.security.sessions._session_middleware": "46fb403944c23870",
    "django.core.checks.registry.CheckRegistry.register": "623f1d4ed84a526a",
}


def _object(path: str):
    module_path, _, attribute = path.rpartition(".")
    try:
        return import_string(path)
    except ImportError:  # a method: import the class, then take the attribute
        return getattr(import_string(module_path), attribute)


def source_hash(path: str) -> str:
    return hashlib.sha256(inspect.getsource(_object(path)).encode()).hexdigest()[:16]


def current() -> dict[str, str]:
    return {path: source_hash(path) for paths in RELIED_ON.values() for path in paths}


def test_the_django_code_the_overrides_copy_is_unchanged():
    changed = {path for path, digest in current().items() if RECORDED.get(path) != digest}
    assert not changed, (
        f"Django {django.get_version()} (the overrides were checked with {CHECKED_WITH}) changed: "
        + ", ".join(sorted(changed))
        + ". Review the overrides that rely on them (RELIED_ON here, docs/overrides.md), then record the new hashes."
    )


def test_every_override_module_is_pinned():
    import pkgutil

    import imbrace_console.fastpath as fastpath

    modules = {f"fastpath.{info.name}" for info in pkgutil.iter_modules(fastpath.__path__)}
    pinned = {name.rsplit(".", 1)[0] if name.count(".") > 1 else name for name in RELIED_ON}
    unpinned_ok = {"fastpath.apps", "fastpath.stock"}  # an app config, and the switch back to Django
    assert modules - unpinned_ok <= pinned, modules - unpinned_ok - pinned


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.test")
    django.setup()
    for path, digest in current().items():
        print(f"    {path!r}: {digest!r},")
