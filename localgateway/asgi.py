"""ASGI entry point: ``uvicorn localgateway.asgi:app``."""

from .app import create_app

app = create_app()
