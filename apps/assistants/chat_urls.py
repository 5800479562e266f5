"""Chat URLs (conversations and the streaming relay), included by ``urls.py``."""

urlpatterns: list = []
