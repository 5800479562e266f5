"""CSV that is safe to open in a spreadsheet: a cell that would run as a formula is made text.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(tab and carriage return are skipped before that test by some of them), so a value
such as ``=HYPERLINK("http://evil.example","x")``, which anyone who can reach a
public webhook can put on a board, would run on the machine of whoever opens the
export. Such a cell gets a leading ``'``: spreadsheets show it as text, and a
reader sees the value with one extra character. A plain number (``-12``,
``+3.5``, ``-1e3``) runs nothing and is left as it is.

``cell_defused`` is for CSV the console writes (the audit export);
``CsvDefuser`` rewrites CSV the gateway writes (the board export) as it streams,
changing nothing but the prefixed cells: quoting, line ends and every other byte
stay as the gateway sent them.
"""

from __future__ import annotations

import codecs
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PLAIN_NUMBER = re.compile(_NUMBER)

# CSV cells, for a regular expression that walks whole records cell by cell (so a comma or line end inside
# quotes is never taken for a cell's start). A cell is quoted ("a ""b"" c", then anything up to its comma)
# or not; it ends at a comma, a line end or the end of the text.
_END = r"(?:[,\n]|\Z)"
# After its opening quote: the value (quotes doubled), anything up to the comma; unterminated, the rest of
# the text (as the csv module reads it).
_QUOTED_REST = rf'(?:[^"]*(?:""[^"]*)*"[^,\n]*{_END}|[\s\S]*)'
_CELL = rf'(?:"{_QUOTED_REST}|[^,\n]*{_END})'
# A cell a spreadsheet would run: its value starts with a formula character and is not a plain number.
# (Unquoted, the CR of a CRLF line end is not a value.)
_RISKY_QUOTED = rf'"(?=[=+\-@\t\r])(?!{_NUMBER}"{_END})'
_RISKY_BARE = rf"(?=[=+\-@\t]|\r(?!\n|\Z))(?!{_NUMBER}\r?{_END})"
# Each match: a run of harmless cells (group 1), then a risky cell, if any: quoted, its opening quote
# (group 2) and the rest (group 3); bare, the whole cell (group 4). Harmless cells pass in C; only risky
# ones reach Python.
_RUN = re.compile(
    rf"((?:(?!{_RISKY_QUOTED}|{_RISKY_BARE}){_CELL})*)"
    rf"(?:(?={_RISKY_QUOTED})(\")({_QUOTED_REST})|{_RISKY_BARE}([^,\n]*{_END}))?"
)


def needs_prefix(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` (a cell's value) as a formula."""
    return text[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text)


def cell_defused(value: object) -> str:
    """One cell's value for a CSV the console writes: prefixed with ``'`` if a spreadsheet would run it."""
    text = str(value)
    return "'" + text if needs_prefix(text) else text


def _defuse_run(match: re.Match) -> str:
    harmless, quote, quoted_rest, bare = match.groups()
    if quote:
        return f"{harmless}\"'{quoted_rest}"
    if bare is not None:
        return f"{harmless}'{bare}"
    return harmless


def csv_defused(text: str) -> str:
    """Whole CSV records with each cell a spreadsheet would run prefixed with ``'``; nothing else changed."""
    if not any(char in text for char in FORMULA_STARTS):  # six memchr scans: the cheap common case
        return text
    return _RUN.sub(_defuse_run, text)


class CsvDefuser:
    """Defuses a CSV that arrives in chunks: ``feed`` each chunk, then ``close``; each returns what is ready.

    A chunk can end inside a record, or inside a quoted value holding line breaks: the text after the last
    line end outside quotes is held back for the next chunk. A line end is outside quotes where the count of
    quotes before it is even (a quoted value's own quotes are doubled).
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._scanned = 0  # the line ends before this index of _pending are inside quotes
        self._quotes = 0  # the quotes in _pending before _scanned
        self._started = False

    def feed(self, chunk: bytes) -> bytes:
        text = self._decoder.decode(chunk)
        mark = b""
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):  # a byte order mark is not part of the first cell
                mark, text = "\ufeff".encode(), text[1:]
        return mark + self._take(text)

    def close(self) -> bytes:
        rest = self._pending + self._decoder.decode(b"", final=True)
        self._pending, self._scanned, self._quotes = "", 0, 0
        return csv_defused(rest).encode()

    def _take(self, text: str) -> bytes:
        pending = self._pending + text
        last = pending.rfind("\n", self._scanned)
        if last < 0:
            self._pending = pending
            return b""
        quotes = self._quotes + pending.count('"', self._scanned, last)
        end, before_end = last, quotes
        while before_end % 2:  # that line end is inside a quoted value: try the one before it
            previous = pending.rfind("\n", self._scanned, end)
            if previous < 0:
                end = -1
                break
            before_end -= pending.count('"', previous, end)
            end = previous
        cut = end + 1 if end >= 0 else 0
        self._pending = pending[cut:]
        self._scanned = last + 1 - cut
        self._quotes = quotes - before_end if cut else quotes
        return csv_defused(pending[:cut]).encode() if cut else b""
