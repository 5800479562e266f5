from django.apps import AppConfig


class FastpathConfig(AppConfig):
    name = "imbrace_console.fastpath"
    label = "fastpath"

    def ready(self) -> None:
        from .checks import recognise_subclassed_middleware

        recognise_subclassed_middleware()
