"""Log-in rate limiting per username and per client address."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.test import AsyncClient, Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import LoginFailure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CONSOLE_LOGIN_FAILURES_PER_USER = 3
    settings.CONSOLE_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.CONSOLE_LOGIN_FAILURE_WINDOW = 600


def attempt(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def test_a_username_is_locked_after_too_many_failures_even_with_the_right_password(console_user):
    console_user("Viewer", "lock-me")
    for _ in range(3):
        assert attempt("lock-me", "wrong").status_code == 200

    refused = attempt("lock-me", "pw")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many failed log-ins. Try again in 10 minutes." in refused.text
    assert 'value="lock-me"' in refused.text
    assert "_auth_user_id" not in refused.wsgi_request.session
    # The lock is per username: from another address, and in another case, it still holds.
    assert attempt("LOCK-ME", "pw", address="10.9.9.9").status_code == 429


def test_an_address_is_locked_after_failures_across_usernames(console_user):
    console_user("Viewer", "innocent")
    for n in range(5):
        attempt(f"guess-{n}", "wrong", address="10.0.0.66")

    assert attempt("innocent", "pw", address="10.0.0.66").status_code == 429
    assert attempt("innocent", "pw", address="10.0.0.67").status_code == 302


def test_the_lock_lifts_when_failures_leave_the_window(console_user):
    console_user("Viewer", "patient")
    for _ in range(3):
        attempt("patient", "wrong")
    assert attempt("patient", "pw").status_code == 429

    LoginFailure.objects.update(created_at=timezone.now() - timedelta(seconds=601))

    assert attempt("patient", "pw").status_code == 302


def test_a_successful_log_in_clears_its_username_failures_but_not_its_address(console_user):
    console_user("Viewer", "typo")
    attempt("typo", "wrong")
    attempt("typo", "wrong")
    assert attempt("typo", "pw").status_code == 302

    assert not LoginFailure.objects.filter(username="typo").exists()
    assert LoginFailure.objects.filter(address="10.0.0.1").count() == 0
    attempt("other", "wrong", address="10.0.0.2")
    attempt("typo", "pw", address="10.0.0.2")
    assert LoginFailure.objects.filter(address="10.0.0.2").count() == 1


def test_failures_are_recorded_in_the_database_and_the_log(console_user, caplog):
    with caplog.at_level("WARNING", logger="imbrace_console.security"):
        attempt("Someone", "secret-guess")
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.address) == ("someone", "10.0.0.1")
    assert "failed log-in for username='someone' from 10.0.0.1" in caplog.text
    assert "secret-guess" not in caplog.text


def test_other_requests_pass_through_untouched(client):
    for _ in range(6):
        attempt("anyone", "wrong")
    assert client.get(reverse("login")).status_code == 200


# --- issue 20, finding 2: three bypasses ------------------------------------------------------


def wide(text: str) -> str:
    """The fullwidth look-alike of an ASCII text (U+FF01-U+FF5E), which NFKC maps back."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def test_a_fullwidth_look_alike_is_counted_and_checked_under_the_real_name(console_user):
    """Django's log-in form NFKC-normalises the name: its fullwidth form logs in as look-alike."""
    console_user("Viewer", "look-alike")
    fullwidth = wide("look-alike")
    for _ in range(3):
        assert attempt(fullwidth, "wrong").status_code == 200
    assert attempt("look-alike", "pw", address="10.9.9.9").status_code == 429

    LoginFailure.objects.all().delete()
    for _ in range(3):
        attempt("look-alike", "wrong")
    # Before the fix the look-alike was checked under its raw form and logged in while the real name was locked.
    assert attempt(fullwidth, "pw", address="10.9.9.8").status_code == 429
    assert attempt(" LOOK-ALIKE ", "pw", address="10.9.9.7").status_code == 429


def test_the_username_key_is_the_name_authentication_sees(console_user):
    from apps.accounts.login_limits import username_key

    assert username_key(wide("admin")) == username_key("Admin") == username_key(" admin\t") == "admin"
    assert username_key("ﬀ") == "ff"  # a ligature, as the form normalises it
    assert username_key(None) == ""


async_db = pytest.mark.django_db(transaction=True)


@async_db
async def test_simultaneous_wrong_passwords_are_checked_exactly_up_to_the_limit(settings):
    """Before the fix, all ten passed the check before any of them was counted."""
    settings.CONSOLE_LOGIN_FAILURES_PER_USER = 5
    settings.CONSOLE_LOGIN_FAILURES_PER_ADDRESS = 100
    await User.objects.acreate_user("rushed", password="pw")
    checked = []

    def password_checked(sender, credentials, **kwargs):
        checked.append(credentials["username"])

    user_login_failed.connect(password_checked, dispatch_uid="test.checked")
    try:
        statuses = await asyncio.gather(
            *(AsyncClient().post(reverse("login"), {"username": "rushed", "password": f"w{n}"}) for n in range(10))
        )
    finally:
        user_login_failed.disconnect(dispatch_uid="test.checked")

    assert sorted(response.status_code for response in statuses) == [200] * 5 + [429] * 5
    assert checked == ["rushed"] * 5
    assert await LoginFailure.objects.filter(username="rushed").acount() == 5


@async_db
async def test_simultaneous_guesses_from_one_address_are_checked_up_to_its_limit(settings):
    settings.CONSOLE_LOGIN_FAILURES_PER_ADDRESS = 4
    statuses = await asyncio.gather(
        *(AsyncClient().post(reverse("login"), {"username": f"who-{n}", "password": "x"}) for n in range(12))
    )
    assert sorted(response.status_code for response in statuses) == [200] * 4 + [429] * 8


def test_a_form_that_never_reached_the_password_check_does_not_count(console_user):
    console_user("Viewer", "hasty")
    for _ in range(5):
        assert attempt("hasty", "").status_code == 200  # the password field is required
    assert not LoginFailure.objects.exists()
    assert attempt("hasty", "pw").status_code == 302


def test_a_rotating_forwarded_header_from_a_direct_client_is_ignored(console_user):
    console_user("Viewer", "steady")
    for n in range(5):
        Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.1.0.{n}").post(
            reverse("login"), {"username": f"g{n}", "password": "x"}
        )
    assert attempt("steady", "pw", address="198.51.100.7").status_code == 429


def test_an_address_uvicorn_took_from_the_header_does_not_reset_the_count(console_user):
    """uvicorn --proxy-headers (its default, trusting 127.0.0.1) puts X-Forwarded-For's address in REMOTE_ADDR.

    That was the bypass: from a trusted address, each new header value was a new client. The console
    trusts no proxy by default, so these requests share one count.
    """
    console_user("Viewer", "rotated")
    for n in range(5):
        rotated = f"203.0.113.{n}"
        Client(REMOTE_ADDR=rotated, HTTP_X_FORWARDED_FOR=rotated).post(
            reverse("login"), {"username": f"r{n}", "password": "x"}
        )
    rotated = "203.0.113.99"
    refused = Client(REMOTE_ADDR=rotated, HTTP_X_FORWARDED_FOR=rotated).post(
        reverse("login"), {"username": "rotated", "password": "pw"}
    )
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_counted(console_user, settings):
    settings.CONSOLE_TRUSTED_PROXIES = ["127.0.0.1", "10.20.0.0/16"]
    console_user("Viewer", "proxied")
    for n in range(5):
        # The client forges the left part; nginx appends the address it saw; an inner proxy adds its own.
        forwarded = f"1.1.1.{n}, 192.0.2.50, 10.20.3.4"
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
            reverse("login"), {"username": f"p{n}", "password": "x"}
        )
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"192.0.2.50"}
    forwarded = "9.9.9.9, 192.0.2.50"
    refused = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
        reverse("login"), {"username": "proxied", "password": "pw"}
    )
    assert refused.status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.51")
    assert other.post(reverse("login"), {"username": "proxied", "password": "pw"}).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("192.0.2.1", "", [], "192.0.2.1"),
        ("192.0.2.1", "7.7.7.7", [], "192.0.2.1"),  # the peer is no proxy: its header is ignored
        ("127.0.0.1", "7.7.7.7", [], "127.0.0.1"),  # no proxy trusted by default
        ("127.0.0.1", "6.6.6.6, 7.7.7.7", ["127.0.0.1"], "7.7.7.7"),
        ("127.0.0.1", "6.6.6.6, 7.7.7.7:5123", ["127.0.0.1"], "7.7.7.7"),
        ("127.0.0.1", "6.6.6.6, not-an-address", ["127.0.0.1"], "127.0.0.1"),  # a broken proxy: its own address
        ("127.0.0.1", "10.0.0.2, 10.0.0.3", ["127.0.0.1", "10.0.0.0/8"], "10.0.0.2"),  # all proxies: left-most
        ("7.7.7.7", "6.6.6.6, 7.7.7.7", [], "x-forwarded-for"),  # uvicorn took it, the console trusts no one
        ("7.7.7.7", "6.6.6.6, 7.7.7.7", ["127.0.0.1"], "7.7.7.7"),  # uvicorn took it with the same list
        ("6.6.6.6", "6.6.6.6, 127.0.0.1", ["127.0.0.1"], "6.6.6.6"),
        ("2001:db8:1:2:3:4:5:6", "", [], "2001:db8:1:2::/64"),  # IPv6: one /64 is one client
        ("::ffff:192.0.2.9", "", [], "192.0.2.9"),
        ("::1", "[2001:db8::9]:443", ["::1"], "2001:db8::/64"),
    ],
)
def test_client_address(rf, settings, remote, forwarded, proxies, expected):
    from apps.accounts.login_limits import client_address

    settings.CONSOLE_TRUSTED_PROXIES = proxies
    request = rf.post("/login/", REMOTE_ADDR=remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}))
    assert client_address(request) == expected


def test_a_trusted_proxy_entry_that_is_no_address_fails_the_checks(settings):
    from apps.accounts.login_limits import check_trusted_proxies

    settings.CONSOLE_TRUSTED_PROXIES = ["10.0.0.5", "nginx.internal"]
    assert [error.id for error in check_trusted_proxies()] == ["accounts.E001"]
    settings.CONSOLE_TRUSTED_PROXIES = ["10.0.0.5", "fd00::/8"]
    assert check_trusted_proxies() == []
