"""The session, user and role reads every request makes (plain SQL) agree with Django's ORM reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone

from apps.core.roles import Role, arole_for, role_for
from imbrace_console.fastpath.backends import ModelBackend
from imbrace_console.fastpath.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_session_reads_as_djangos_store_reads_it():
    stored = SessionStore()
    stored["answer"] = {"words": ["plum", 42]}
    stored.create()
    key = stored.session_key

    assert SessionStore(key).load() == DjangoSessionStore(key).load() == {"answer": {"words": ["plum", 42]}}


@pytest.mark.parametrize("key", ["expired-session-key", "no-such-session-key"])
def test_an_expired_or_unknown_session_reads_empty_and_loses_its_key(key):
    expired = SessionStore()
    expired["user"] = "x"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        session_key="expired-session-key", expire_date=timezone.now() - timedelta(seconds=1)
    )

    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_the_backend_reads_the_same_user_as_the_orm():
    user = User.objects.create_user("vera", email="vera@example.com", password="pw", first_name="Vera")

    read = ModelBackend().get_user(str(user.pk))

    orm = User.objects.get(pk=user.pk)
    assert read is not None and read.pk == user.pk
    assert {f.attname: getattr(read, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in User._meta.concrete_fields
    }
    assert read.check_password("pw")


def test_the_backend_refuses_inactive_and_unknown_users():
    user = User.objects.create_user("gone", password="pw", is_active=False)

    assert ModelBackend().get_user(str(user.pk)) is None
    assert ModelBackend().get_user(str(user.pk + 1000)) is None


def test_a_logged_in_request_gets_its_user_through_the_session_and_backend(client):
    user = User.objects.create_user("sam", password="pw")
    assert client.login(username="sam", password="pw")
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies["sessionid"].value)

    assert get_user(request) == user


def test_the_role_is_the_highest_of_the_users_groups():
    user = User.objects.create_user("multi", password="pw")
    assert role_for(user) is None
    user.groups.add(Group.objects.get(name="Viewer"), Group.objects.get(name="Operator"))
    user.groups.add(Group.objects.create(name="Not a role"))

    assert role_for(user) == Role.OPERATOR
    assert async_to_sync(arole_for)(user) == Role.OPERATOR, "the async twin reads the same"
    user.groups.remove(Group.objects.get(name="Operator"))
    assert role_for(user) == Role.VIEWER
