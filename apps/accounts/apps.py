from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Console users"

    def ready(self) -> None:
        from django.core import checks

        from . import login_limits

        login_limits.connect_signals()
        checks.register(login_limits.check_trusted_proxies, checks.Tags.security)
