"""Static file storages that remember the URLs they give.

``{% static %}`` asks the storage for a file's URL each time it prints one:
six times a page in ``base.html``, each call joining and quoting the name
(and, with the manifest, looking up its hashed name). A storage's answer for a
name does not change while the process runs (the manifest is read once, at
start), so the answers are kept, one per file the templates name. On the
items page, that is about 0.6 million fewer instructions a page
(``make bench-instructions``).
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import StaticFilesStorage
from servestatic.storage import CompressedManifestStaticFilesStorage


class RememberedUrlsMixin:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, *args, **kwargs) -> str:
        if args or kwargs:  # the manifest's force=True, used by collectstatic: not remembered
            return super().url(name, *args, **kwargs)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url


class RememberedStaticFilesStorage(RememberedUrlsMixin, StaticFilesStorage):
    """Development and the bench: files under their own names."""


class RememberedCompressedManifestStaticFilesStorage(RememberedUrlsMixin, CompressedManifestStaticFilesStorage):
    """Production: hashed, compressed files (servestatic), their names from the manifest."""
