import atexit
import functools
import logging

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the checks)

        log_writer_start()


@functools.cache  # once per process
def log_writer_start() -> None:
    """Start the thread that writes the records queued by the ``console`` log handler (see LOGGING).

    At exit, the records still queued are written before the thread stops.
    """
    listener = getattr(logging.getHandlerByName("console"), "listener", None)
    if listener is not None:  # None if a settings module replaced the queue handler
        listener.start()
        atexit.register(listener.stop)
