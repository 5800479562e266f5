"""Settings shared by every environment, read from the environment (12-factor).

The defaults are safe for local use; ``production.py`` refuses to start
without a secret key and allowed hosts.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me-0123456789abcdef")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Every override of Django (docs/overrides.md); registers Django's security checks with them recognised.
    "imbrace_console.fastpath",
    "apps.core",
    "apps.audit",
    "apps.accounts",
    "apps.assistants",
    "apps.flows",
    "apps.knowledge",
    "apps.boards",
    "apps.ops",
    "apps.dashboard",
    # django.tasks' database backend and its `db_worker` command (CSV imports run there).
    "django_tasks_db",
]

# Django's middleware in async-native subclasses (imbrace_console/fastpath/middleware.py): no thread hop per hook.
MIDDLEWARE = [
    # First: each request's id (X-Request-ID), metrics and log line (apps/ops, docs/operations.md).
    "apps.ops.middleware.RequestObservabilityMiddleware",
    "imbrace_console.fastpath.middleware.SecurityMiddleware",
    # Async-native static files (whitenoise's middleware is sync-only: a thread hop per request).
    "servestatic.middleware.ServeStaticMiddleware",
    "imbrace_console.fastpath.middleware.SessionMiddleware",
    "imbrace_console.fastpath.middleware.CommonMiddleware",
    "imbrace_console.fastpath.middleware.CsrfViewMiddleware",
    "imbrace_console.fastpath.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.LoginRateLimitMiddleware",
    "imbrace_console.fastpath.middleware.LoginRequiredMiddleware",
    "imbrace_console.fastpath.middleware.MessageMiddleware",
    "imbrace_console.fastpath.middleware.XFrameOptionsMiddleware",
    "imbrace_console.fastpath.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.GatewayErrorMiddleware",
]

ROOT_URLCONF = "imbrace_console.urls"
ASGI_APPLICATION = "imbrace_console.asgi.application"
WSGI_APPLICATION = "imbrace_console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "imbrace_console.fastpath.templates.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.console",
            ],
        },
    }
]

# DATABASE_URL (postgres://user:password@host:5432/name, read by dj-database-url) names the database;
# without it, SQLite at CONSOLE_DB_PATH (default var/console.sqlite3). docs/deploy.md has the details.
# Async views share one sync thread and keep its connection (imbrace_console/fastpath/asgi.py); a sync
# view's connection is closed with its request's thread. Each request first checks a kept connection
# (CONN_HEALTH_CHECKS) and opens a new one if the database has restarted since.
DATABASES = {
    "default": dj_database_url.config(
        default="sqlite:///" + env("CONSOLE_DB_PATH", str(BASE_DIR / "var" / "console.sqlite3")),
        conn_max_age=None,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Hundreds of chat streams open at once all touch sessions and auth: wait for the write lock.
    # With WAL, synchronous=NORMAL syncs at checkpoints rather than at every commit; a commit
    # can be lost to a power cut (not to a crash of the console), and the database stays sound.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, waiting up to CONSOLE_DB_CONNECT_WAIT seconds for a restarting server (the module says how).
    DATABASES["default"]["ENGINE"] = "imbrace_console.database.postgresql"
    # A database host that does not answer fails the request in seconds, not at the TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
CONSOLE_DB_CONNECT_WAIT = float(env("CONSOLE_DB_CONNECT_WAIT", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's, reading the user and the session row with plain SQL: every request reads both
# (imbrace_console/fastpath/backends.py, imbrace_console/fastpath/sessions.py).
AUTHENTICATION_BACKENDS = ["imbrace_console.fastpath.backends.ModelBackend"]
SESSION_ENGINE = "imbrace_console.fastpath.sessions"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# A session expires on the server 8 hours after log-in; its cookie also ends with the browser.
SESSION_COOKIE_AGE = int(env("CONSOLE_SESSION_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Failed log-ins allowed per username and per client address within the window (seconds).
CONSOLE_LOGIN_FAILURES_PER_USER = int(env("CONSOLE_LOGIN_FAILURES_PER_USER", "5"))
CONSOLE_LOGIN_FAILURES_PER_ADDRESS = int(env("CONSOLE_LOGIN_FAILURES_PER_ADDRESS", "20"))
CONSOLE_LOGIN_FAILURE_WINDOW = int(env("CONSOLE_LOGIN_FAILURE_WINDOW", "900"))
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For the log-in limit
# believes; empty: none, the socket's address is the client's (docs/security.md, "Log-in limits").
CONSOLE_TRUSTED_PROXIES = env_list("CONSOLE_TRUSTED_PROXIES")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("CONSOLE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("CONSOLE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the console keeps (CSV imports' uploads) go through STORAGES["default"]: this folder
# unless a django-storages backend is configured there. Every host must see the same files.
MEDIA_ROOT = Path(env("CONSOLE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Files are spooled to disk above 2.5 MB and streamed from there to the gateway.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env("CONSOLE_UPLOAD_TEMP_DIR") or None

# The gateway. Without IMBRACE_BASE_URL the console talks to the local gateway.
LOCALGATEWAY_PORT = int(env("LOCALGATEWAY_PORT", "8100"))
IMBRACE_BASE_URL = env("IMBRACE_BASE_URL") or f"http://127.0.0.1:{LOCALGATEWAY_PORT}"
IMBRACE_USES_LOCALGATEWAY = not env("IMBRACE_BASE_URL")
IMBRACE_API_KEY = env("IMBRACE_API_KEY") or (
    env("LOCALGATEWAY_API_KEY", "api_local_0123456789abcdef") if IMBRACE_USES_LOCALGATEWAY else ""
)
IMBRACE_ACCESS_TOKEN = env("IMBRACE_ACCESS_TOKEN")
IMBRACE_ORGANIZATION_ID = env("IMBRACE_ORGANIZATION_ID")
IMBRACE_CONNECT_TIMEOUT = float(env("IMBRACE_CONNECT_TIMEOUT", "5"))
IMBRACE_READ_TIMEOUT = float(env("IMBRACE_READ_TIMEOUT", "30"))
IMBRACE_RETRIES = int(env("IMBRACE_RETRIES", "2"))
IMBRACE_RETRY_BACKOFF = float(env("IMBRACE_RETRY_BACKOFF", "0.25"))
# Seconds a page may wait for its gateway reads, retries included, before it shows the error with
# Retry (docs/security.md "Request deadlines"); chat, uploads, downloads and exports have their own limits.
IMBRACE_PAGE_DEADLINE = float(env("IMBRACE_PAGE_DEADLINE", "10"))
IMBRACE_MAX_CONNECTIONS = int(env("IMBRACE_MAX_CONNECTIONS", "1000"))
# Worker threads that send request bodies from disk (uploads); more uploads than this wait their turn.
IMBRACE_UPLOAD_THREADS = int(env("IMBRACE_UPLOAD_THREADS", "4"))

# Seconds of upstream silence before the chat relay sends a keep-alive comment.
CHAT_HEARTBEAT_SECONDS = float(env("CHAT_HEARTBEAT_SECONDS", "15"))
# Seconds of upstream silence after which the relay gives up on an answer and offers Retry.
CHAT_STALL_SECONDS = float(env("CHAT_STALL_SECONDS", "120"))
# Seconds an open chat answer goes on after SIGTERM before the relay ends it as interrupted by a restart;
# below uvicorn's --timeout-graceful-shutdown (docs/operations.md, "Restarts and graceful shutdown").
CONSOLE_SHUTDOWN_GRACE = float(env("CONSOLE_SHUTDOWN_GRACE", "20"))

# Strict CSP: no inline script or style without the per-request nonce, nothing off-origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Logs: "text" (one readable line) or "json" (one JSON object per line, for a log pipeline).
LOG_FORMAT = env("LOG_FORMAT", "text").strip().lower()
# One line per request (user, view, status, duration): on by default with LOG_FORMAT=json.
CONSOLE_ACCESS_LOG = env_bool("CONSOLE_ACCESS_LOG", LOG_FORMAT == "json")
# /metrics answers direct requests from these addresses or networks, or a bearer CONSOLE_METRICS_TOKEN.
CONSOLE_METRICS_ALLOWED_IPS = env_list("CONSOLE_METRICS_ALLOWED_IPS", "127.0.0.1,::1")
CONSOLE_METRICS_TOKEN = env("CONSOLE_METRICS_TOKEN")
# The dashboard's per-minute aggregates: each process writes its buffer every FLUSH seconds (0: never),
# and `manage.py prune_metrics` (run beside the task worker) deletes those older than RETENTION days.
CONSOLE_METRICS_FLUSH_SECONDS = float(env("CONSOLE_METRICS_FLUSH_SECONDS", "10"))
CONSOLE_METRICS_RETENTION_DAYS = int(env("CONSOLE_METRICS_RETENTION_DAYS", "30"))
# Seconds each /readyz check (database, gateway) may take before it counts as failed.
CONSOLE_READY_TIMEOUT = float(env("CONSOLE_READY_TIMEOUT", "3"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # LOG_FORMAT=json: one JSON object per line, with the request's id (apps/ops/logs.py).
        "json": {"()": "apps.ops.logs.JsonFormatter"},
    },
    "filters": {"request_context": {"()": "apps.ops.logs.RequestContextFilter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "plain"},
        # Code on the event loop only queues a record; a thread of its own writes it (started by
        # apps.core). A write that waits on a busy disk then holds up that thread, not every request.
        "console": {
            "class": "logging.handlers.QueueHandler",
            "handlers": ["stderr"],
            "respect_handler_level": True,
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": env("CONSOLE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # httpx logs whole URLs at INFO; the gateway client logs each call itself, without the query.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # With LOG_FORMAT=json, uvicorn's own lines (a worker's start, stop, errors) are JSON lines too.
        **(
            {name: {"handlers": ["console"], "propagate": False} for name in ("uvicorn", "uvicorn.access")}
            if LOG_FORMAT == "json"
            else {}
        ),
    },
}

# --- Knowledge hub uploads (apps/knowledge) -------------------------------------------------
# Checked in the browser before anything is sent, and always on the server while the multipart
# body is parsed (an oversized file is refused with 413, a refused type with 415).
KNOWLEDGE_UPLOAD_MAX_BYTES = int(env("KNOWLEDGE_UPLOAD_MAX_BYTES", str(2 * 1024**3)))
KNOWLEDGE_UPLOAD_MAX_FILES = int(env("KNOWLEDGE_UPLOAD_MAX_FILES", "20"))
# File name extensions accepted (lower case, no dot); "*" accepts any type.
KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = env_list(
    "KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS",
    "pdf,txt,md,markdown,csv,tsv,html,htm,json,xml,doc,docx,odt,rtf,ppt,pptx,xls,xlsx,epub",
)

# --- Overrides of Django (imbrace_console/fastpath/, docs/overrides.md) ----------------------
# CONSOLE_STOCK_DJANGO=1 switches every one back to Django's own: the handler, middleware,
# session store, auth backend and template backend (a fallback; users log in again once).
CONSOLE_FASTPATH = True
if env_bool("CONSOLE_STOCK_DJANGO"):
    from imbrace_console.fastpath.stock import stock

    globals().update(stock(globals()))

# --- Background tasks (django.tasks) and board CSV imports (apps/boards/imports.py) ---------
# Tasks are rows in the database; `manage.py db_worker` runs them (`make run` starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task slice imports rows for about this long, then hands the job to the next slice (a worker
# asked to stop waits at most one slice plus one gateway request).
BOARD_IMPORT_SLICE_SECONDS = float(env("BOARD_IMPORT_SLICE_SECONDS", "10"))
# A running job whose worker showed no life for this long can be resumed by another worker.
BOARD_IMPORT_LEASE_SECONDS = float(env("BOARD_IMPORT_LEASE_SECONDS", "300"))
# `manage.py prune_imports` deletes jobs (and their files) untouched for this many days.
BOARD_IMPORT_RETENTION_DAYS = int(env("BOARD_IMPORT_RETENTION_DAYS", "7"))
