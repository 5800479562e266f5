"""An answer's Markdown rendered as it streams: finished blocks once, the open (last) block again as it grows.

``MarkdownStream.update(text)`` takes the answer so far and says what the page
must change, as ``Update``\\ s of sanitized HTML (``apps.assistants.markdown``:
markdown-it with raw HTML off, then nh3):

- ``block``: top-level blocks that later text can no longer change, rendered
  once, to append (every top-level block but the last is finished);
- ``open``: the last block, rendered as far as it goes, to replace the one
  shown before. An unfinished construct is rendered sensibly: an open code
  fence is code to the end, a table whose delimiter row has not come yet is
  a table already, an unclosed ``**`` or code span is closed, and a last line
  holding only markers (``-``, ``|``, ``#``, a fence's backticks) waits for
  the text after it, so a list item does not flash as a heading;
- ``more``: escaped plain text to add after the open block. Once the open
  block is longer than ``OPEN_CAP`` characters, it is rendered again only
  after it grew by half, and the text between comes as ``more``: each
  update costs the new text (amortized), not the whole answer.

With ``final=True`` the rest becomes ``block`` and the open block empties.
Rendering costs up to seconds on hostile input: the relay calls ``update``
in a worker thread unless ``cheap()`` says the work is small.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from ..markdown import markdown_engine, sanitize

OPEN_CAP = 2000  # characters of an open block rendered again on every update
GROWTH = 1.5  # above OPEN_CAP: rendered again once this many times longer than when last rendered
CHEAP = 160  # characters of work an update may do on the event loop (measured: under 2 ms even when hostile)

_blocks = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable(["inline", "text_join"])
_MARKERS = re.compile(r"[ \t]*(?:[-*+=#>|`~_:]+|\d{1,9}[.)]?)[ \t]*")
_FENCE = re.compile(r" {0,3}(?:```|~~~)")
_TABLE_ROW = re.compile(r" {0,3}\|.*\|.*")


@dataclass(frozen=True)
class Update:
    kind: str  # "block", "open" or "more"
    html: str
    text: str = ""  # the Markdown it stands for (for "more": the text added)


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _open_start(src: str) -> int:
    """Where the last top-level block of ``src`` starts (0 when it has one block or none)."""
    starts = [token.map[0] for token in _blocks.parse(src) if token.level == 0 and token.nesting >= 0 and token.map]
    if len(starts) < 2:
        return 0
    line = starts[-1]
    offset = 0
    for _ in range(line):
        offset = src.index("\n", offset) + 1
    return offset


def _sensible(src: str) -> str:
    """The open block made to render as it will once finished (see the module's docstring)."""
    head, newline, last = src.rpartition("\n")
    if last and _MARKERS.fullmatch(last):
        src = head + newline  # a marker alone waits for the text after it
    if _FENCE.match(src):
        return src  # code: nothing to close
    lines = src.split("\n")
    if _TABLE_ROW.fullmatch(lines[0]) and (len(lines) < 2 or not lines[1].strip()):
        cells = lines[0].strip().strip("|").count("|") + 1
        return lines[0] + "\n" + "|---" * cells + "|\n"
    body = src.rstrip()
    if sum(len(run) == 1 for run in re.findall(r"`+", body)) % 2:
        return body + "`"
    if body.count("**") % 2 and not body.endswith("**"):
        return body + "**"
    return src


@dataclass
class MarkdownStream:
    """What of the answer the page shows (see the module's docstring)."""

    env: dict = field(default_factory=dict)  # link reference definitions of the finished blocks
    done: int = 0  # characters of the answer sent as finished blocks
    shown: int = 0  # characters of the open block shown (rendered, then as ``more``)
    rendered: int = 0  # characters of the open block when it was last rendered
    seen: str = ""

    def cheap(self, text: str) -> bool:
        """Whether the next ``update(text)`` does little work (safe to run on the event loop)."""
        return len(text) - self.done <= CHEAP

    def update(self, text: str, *, final: bool = False) -> list[Update]:
        text = _normalized(text)
        if text == self.seen and not final:
            return []
        self.seen = text
        updates = []
        rest = text[self.done :]
        if final:
            if rest:
                updates.append(Update("block", self._render(rest), rest))
            self.done += len(rest)
            if self.shown:
                updates.append(Update("open", ""))
            self.shown = self.rendered = 0
            return updates
        if len(rest) > OPEN_CAP and len(rest) < self.rendered * GROWTH:
            added = rest[self.shown :]
            self.shown = len(rest)
            return [Update("more", html.escape(added), added)] if added else []
        cut = _open_start(rest)
        if cut:
            finished = rest[:cut]
            updates.append(Update("block", self._render(finished), finished))
            self.done += cut
            rest = rest[cut:]
        self.shown = self.rendered = len(rest)
        updates.append(Update("open", self._render(_sensible(rest), keep=False), rest))
        return updates

    def _render(self, src: str, *, keep: bool = True) -> str:
        env = self.env if keep else {"references": dict(self.env.get("references", {}))}
        return sanitize(markdown_engine.render(src, env))
