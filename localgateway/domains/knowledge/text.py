"""Text extraction from uploaded files (for the chat responder) and MIME types."""

from __future__ import annotations

import html.parser
import logging
import mimetypes
import re
from pathlib import Path

from .schema import TEXT_EXTENSIONS, TEXT_EXTRACT_MAX_BYTES, TEXT_MAX_CHARS

logger = logging.getLogger("localgateway.knowledge")


class _HTMLText(html.parser.HTMLParser):
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        elif tag in {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "tr"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def extract_text(path: Path, name: str) -> str | None:
    """The readable text of a text-like file, or None. Runs in a worker thread."""
    suffix = Path(name).suffix.lower()
    if suffix not in TEXT_EXTENSIONS or path.stat().st_size > TEXT_EXTRACT_MAX_BYTES:
        return None
    try:
        if suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
            if suffix in (".html", ".htm"):
                parser = _HTMLText()
                parser.feed(text)
                text = "".join(parser.parts)
    except Exception:  # a damaged document is stored but has no text
        logger.warning("could not extract text from %s", name, exc_info=True)
        return None
    text = re.sub(r"[ \t]+\n", "\n", text).strip()
    return text[:TEXT_MAX_CHARS] or None


def mime_type(name: str, declared: str) -> str:
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(name)[0] or declared or "application/octet-stream"
