"""Log-in rate limiting per username and per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
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
