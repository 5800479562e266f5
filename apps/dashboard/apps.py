from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The home page: the gateway connection and a count per area (the only app that reads every area)."""

    name = "apps.dashboard"
    label = "dashboard"
