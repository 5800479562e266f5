"""The log-in limits against the console as deployed: uvicorn with two worker processes on one database.

Each worker has its own database connection, so only the database can keep two simultaneous
attempts from both passing the check. uvicorn runs with its defaults, which include
``--proxy-headers`` trusting 127.0.0.1: the address it hands the console can come from
``X-Forwarded-For``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.support import manage, start_uvicorn, terminate

PER_USER = 5
PER_ADDRESS = 8


@contextmanager
def _database(work: Path):
    """A database of its own: a SQLite file, or under ``make test DB=postgres`` a new PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{work / 'console.sqlite3'}"
        return
    import psycopg

    name = f"login_live_{os.urandom(4).hex()}"
    server = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def two_workers(localgateway, tmp_path_factory):
    work = tmp_path_factory.mktemp("login-live")
    with _database(work) as database_url:
        yield from _started(work, localgateway, database_url)


def _started(work: Path, localgateway, database_url: str):
    env = {
        **os.environ,
        # The deployed settings with a fast password hasher (the test suite's), so the check is not what takes time.
        "DJANGO_SETTINGS_MODULE": "tests.trust.live_login_settings",
        "CONSOLE_DB_PATH": str(work / "console.sqlite3"),
        "DATABASE_URL": database_url,
        "IMBRACE_BASE_URL": localgateway.base_url,
        "IMBRACE_API_KEY": localgateway.api_key,
        "CONSOLE_LOGIN_FAILURES_PER_USER": str(PER_USER),
        "CONSOLE_LOGIN_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
    }
    env.pop("CONSOLE_TRUSTED_PROXIES", None)
    manage(env, "migrate", "--no-input", "-v", "0")
    script = "from django.contrib.auth.models import User\nUser.objects.create_user('target', password='right-pw-1')\n"
    manage(env, "shell", "-c", script)
    process, url = start_uvicorn(env, work / "console.log", workers=2, access_log=True)
    try:
        yield url, database_url
    finally:
        terminate(process)


def _prepared_client(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client, token


def _simultaneous_posts(url: str, forms: list[dict], headers: list[dict] | None = None) -> list[int]:
    """POST each form to the log-in page, all released at the same moment from threads of their own."""
    prepared = [_prepared_client(url) for _ in forms]
    start = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def post(n: int) -> None:
        client, token = prepared[n]
        start.wait()
        response = client.post(
            "/login/", data={**forms[n], "csrfmiddlewaretoken": token}, headers=(headers or [{}] * len(forms))[n]
        )
        statuses[n] = response.status_code

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client, _ in prepared:
        client.close()
    return statuses


def _failures(database_url: str, **match) -> int:
    where = " AND ".join(f"{column} = %s" for column in match)
    sql = f"SELECT COUNT(*) FROM accounts_loginfailure WHERE {where}"
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql.replace("%s", "?"), list(match.values())).fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, list(match.values())).fetchone()[0]


def test_sixteen_simultaneous_wrong_passwords_on_two_workers_check_exactly_the_limit(two_workers):
    url, database = two_workers
    statuses = _simultaneous_posts(url, [{"username": "target", "password": f"wrong-{n}"} for n in range(16)])

    assert sorted(statuses) == [200] * PER_USER + [429] * (16 - PER_USER)
    assert _failures(database, username="target") == PER_USER
    client, token = _prepared_client(url)
    right = client.post("/login/", data={"username": "target", "password": "right-pw-1", "csrfmiddlewaretoken": token})
    assert right.status_code == 429


def test_rotating_x_forwarded_for_through_uvicorns_trusted_address_does_not_reset_the_address_limit(two_workers):
    """From 127.0.0.1 (trusted by uvicorn's --proxy-headers default) each request names a new client."""
    url, database = two_workers
    forms = [{"username": f"nobody-{n}", "password": "guess"} for n in range(PER_ADDRESS + 4)]
    headers = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(len(forms))]

    statuses = _simultaneous_posts(url, forms, headers)

    assert sorted(statuses) == [200] * PER_ADDRESS + [429] * 4
    assert _failures(database, address="x-forwarded-for") == PER_ADDRESS
