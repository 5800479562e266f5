"""The console's authentication backend: Django's ``ModelBackend``, reading the signed-in user with plain SQL.

Stands in for ``ModelBackend.get_user`` of ``django/contrib/auth/backends.py``
(``AUTHENTICATION_BACKENDS``).

Django reads the session's user on every request. Built through the ORM, that
query costs about 0.4 ms here, ten times what SQLite takes to answer it, and
it is on the way to every page and to every chat answer's first word. Logging
in, permissions and the checks on the user stay Django's.
"""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model
from django.db import connections, router


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The user if they may sign in, else None; as Django's."""
        user_model = get_user_model()
        meta = user_model._meta
        quote = connections[router.db_for_read(user_model)].ops.quote_name
        sql = f"SELECT * FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        user = next(iter(user_model._default_manager.raw(sql, [meta.pk.to_python(user_id)])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
