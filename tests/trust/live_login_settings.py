"""Settings of the live log-in limit tests: the deployed ones (base), with the test suite's fast hasher."""

from imbrace_console.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
