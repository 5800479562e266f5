from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One counted log-in attempt, kept for the rate limit's window.

    A row is written before the password is checked (``login_limits.login_attempt_begin``)
    and stays as the failure when the password was wrong; a log-in that succeeds, or a form
    that never reached the password check, removes it again.

    In the database (not the cache) so every console process on every host counts the same
    failures: the default cache is per process, and a restart would forget it.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class LoginGate(models.Model):
    """The row a log-in attempt locks for its username and for its address.

    Checking the count and counting the attempt happen in one transaction that first
    updates these rows: on PostgreSQL the update holds their row locks until the commit,
    on SQLite the write holds the database's write lock, so two attempts for one key,
    from any process or host, are counted one after the other and never both let through.
    """

    key = models.CharField(max_length=220, unique=True)
    touched_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
