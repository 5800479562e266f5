import ipaddress

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


def check_metrics_addresses(app_configs=None, **kwargs) -> list:
    """ops.E001: every CONSOLE_METRICS_ALLOWED_IPS entry is an address or a network."""
    errors = []
    for entry in settings.CONSOLE_METRICS_ALLOWED_IPS:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"CONSOLE_METRICS_ALLOWED_IPS holds {entry!r}, which is not an IP address or network.",
                    hint="List the Prometheus servers' addresses (10.0.0.9) or networks, comma-separated.",
                    id="ops.E001",
                )
            )
    return errors


class OpsConfig(AppConfig):
    """Health, readiness, Prometheus metrics and JSON logs for operators (docs/operations.md)."""

    name = "apps.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        import atexit

        from . import metrics

        checks.register(check_metrics_addresses, checks.Tags.security)
        if settings.LOG_FORMAT == "json":
            import logging

            logging.captureWarnings(True)  # Python's warnings as JSON lines too (logger py.warnings)
        # A worker that ends takes its open-stream gauge out of the shared view.
        atexit.register(metrics.worker_exited)
