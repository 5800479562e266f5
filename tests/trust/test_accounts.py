"""Console user management by Admins, "change my password", logout everywhere, session expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.roles import Role, role_for

pytestmark = pytest.mark.django_db

STRONG = "plum-Harbour-91-lantern"


def logged_in(username: str, password: str = "pw") -> Client:
    client = Client()
    assert client.login(username=username, password=password)
    return client


def is_logged_in(client: Client) -> bool:
    response = client.get(reverse("audit-list"))
    return response.status_code == 200


@pytest.fixture
def admin(console_user):
    return console_user("Admin", "root-admin")


def test_admin_lists_and_creates_users_with_a_role(client, admin, console_user):
    console_user("Viewer", "vera")
    client.force_login(admin)

    listing = client.get(reverse("users-list"))
    assert listing.status_code == 200
    assert "vera" in listing.text and "Viewer" in listing.text

    response = client.post(
        reverse("users-create"), {"username": "new-op", "role": "Operator", "password1": STRONG, "password2": STRONG}
    )

    created = User.objects.get(username="new-op")
    assert response.status_code == 302 and response.url == reverse("users-detail", kwargs={"user_id": created.pk})
    assert role_for(created) == Role.OPERATOR
    assert created.check_password(STRONG)
    event = AuditEvent.objects.get(area="accounts", action="user.create")
    assert event.actor_username == "root-admin" and event.target_name == "new-op"
    assert STRONG not in str(event.changes) and STRONG not in event.message
    assert logged_in("new-op", STRONG)


def test_an_invalid_new_user_keeps_what_was_typed_and_says_why(client, admin, console_user):
    console_user("Viewer", "taken")
    client.force_login(admin)

    response = client.post(
        reverse("users-create"), {"username": "TAKEN", "role": "Support", "password1": "short", "password2": "other"}
    )

    assert response.status_code == 400
    assert 'value="TAKEN"' in response.text
    assert '<option value="Support" selected>' in response.text
    assert "already exists" in response.text and "The two passwords differ." in response.text
    assert not User.objects.filter(username="TAKEN").exists()

    weak_password = {"username": "fresh", "role": "Viewer", "password1": "password", "password2": "password"}
    weak = client.post(reverse("users-create"), weak_password)
    assert weak.status_code == 400 and "too common" in weak.text


def test_admin_changes_a_role_and_it_is_audited(client, admin, console_user):
    sam = console_user("Support", "sam")
    client.force_login(admin)

    response = client.post(reverse("users-role-update", kwargs={"user_id": sam.pk}), {"role": "Operator"})

    assert response.status_code == 302
    assert role_for(User.objects.get(pk=sam.pk)) == Role.OPERATOR
    event = AuditEvent.objects.get(action="user.role")
    assert event.changes == {"old": {"role": "Support"}, "new": {"role": "Operator"}}


def test_an_admin_cannot_demote_or_deactivate_themselves(client, admin):
    client.force_login(admin)

    demote = client.post(reverse("users-role-update", kwargs={"user_id": admin.pk}), {"role": "Viewer"})
    assert demote.status_code == 400 and "cannot change the role of your own account" in demote.text
    client.post(reverse("users-deactivate", kwargs={"user_id": admin.pk}))

    admin.refresh_from_db()
    assert role_for(admin) == Role.ADMIN and admin.is_active
    detail = client.get(reverse("users-detail", kwargs={"user_id": admin.pk}))
    assert "cannot deactivate your own account" in detail.text


def test_deactivating_logs_the_user_out_everywhere_and_reactivating_restores(client, admin, console_user):
    console_user("Operator", "olga")
    olga_browser = logged_in("olga")
    olga = User.objects.get(username="olga")
    client.force_login(admin)

    client.post(reverse("users-deactivate", kwargs={"user_id": olga.pk}))

    assert not is_logged_in(olga_browser)
    assert not Client().login(username="olga", password="pw")
    detail = client.get(reverse("users-detail", kwargs={"user_id": olga.pk}))
    assert "Deactivated" in detail.text

    client.post(reverse("users-activate", kwargs={"user_id": olga.pk}))
    assert logged_in("olga")
    assert [e.action for e in AuditEvent.objects.filter(area="accounts").order_by("id")] == [
        "user.deactivate",
        "user.activate",
    ]


def test_admin_password_reset_ends_that_users_sessions(client, admin, console_user):
    console_user("Viewer", "vic")
    vic_browser = logged_in("vic")
    vic = User.objects.get(username="vic")
    client.force_login(admin)

    mismatch = client.post(
        reverse("users-password-reset", kwargs={"user_id": vic.pk}),
        {"new_password1": STRONG, "new_password2": STRONG + "x"},
    )
    assert mismatch.status_code == 400 and is_logged_in(vic_browser)

    client.post(
        reverse("users-password-reset", kwargs={"user_id": vic.pk}), {"new_password1": STRONG, "new_password2": STRONG}
    )

    assert not is_logged_in(vic_browser)
    assert logged_in("vic", STRONG)
    assert AuditEvent.objects.get(action="user.password_reset").target_name == "vic"


def test_changing_my_password_keeps_this_session_and_ends_my_others(console_user):
    console_user("Support", "pat")
    here, elsewhere = logged_in("pat"), logged_in("pat")

    page = here.get(reverse("password-change"))
    assert page.status_code == 200 and "Change your password" in page.text

    response = here.post(
        reverse("password-change"), {"old_password": "pw", "new_password1": STRONG, "new_password2": STRONG}
    )

    assert response.status_code == 302
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert logged_in("pat", STRONG)
    assert AuditEvent.objects.get(action="password.change").actor_username == "pat"


def test_a_wrong_old_password_changes_nothing(console_user):
    console_user("Viewer", "wendy")
    here = logged_in("wendy")

    response = here.post(
        reverse("password-change"), {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG}
    )

    assert response.status_code == 400 and "incorrectly" in response.text
    assert logged_in("wendy")


def test_an_expired_session_is_sent_to_log_in(console_user, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    console_user("Viewer", "ella")
    browser = logged_in("ella")
    assert is_logged_in(browser)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = browser.get(reverse("audit-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_session_expiry_is_set_by_the_server(console_user):
    console_user("Viewer", "sid")
    before = timezone.now()
    logged_in("sid")
    expiry = Session.objects.get().expire_date
    assert timedelta(hours=7, minutes=59) < expiry - before <= timedelta(hours=8, seconds=5)


def test_guessing_the_current_password_on_the_change_page_is_rate_limited(console_user, settings):
    """A stolen session cannot brute-force the password: the log-in limit counts these guesses too."""
    settings.CONSOLE_LOGIN_FAILURES_PER_USER = 3
    console_user("Viewer", "guessed")
    session = logged_in("guessed")
    url = reverse("password-change")
    for n in range(3):
        wrong = session.post(url, {"old_password": f"guess-{n}", "new_password1": STRONG, "new_password2": STRONG})
        assert wrong.status_code == 400

    refused = session.post(url, {"old_password": "pw", "new_password1": STRONG, "new_password2": STRONG})

    assert refused.status_code == 429 and "Too many wrong passwords" in refused.text
    assert Client().post(reverse("login"), {"username": "guessed", "password": "pw"}).status_code == 429
    assert User.objects.get(username="guessed").check_password("pw")
