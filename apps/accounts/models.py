from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed log-in, kept for the rate limit's window.

    In the database (not the cache) so every console process counts the same
    failures: the default cache is per process, and a restart would forget it.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.created_at:%Y-%m-%d %H:%M:%S}"
