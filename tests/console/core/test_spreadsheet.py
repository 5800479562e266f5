"""CSV cells a spreadsheet would run as formulas get a leading ``'``; nothing else in the file changes."""

from __future__ import annotations

import csv
import io
import random

import pytest

from apps.core.spreadsheet import CsvDefuser, cell_defused, csv_defused

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        # Plain numbers run nothing: a negative amount stays a number.
        ("-12", "-12"),
        ("+3.5", "+3.5"),
        ("-1e3", "-1e3"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (42, "42"),
    ],
)
def test_a_cell_that_would_run_is_prefixed(value, written):
    assert cell_defused(value) == written


def _rows_written(rows: list[list[str]], **dialect) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, **dialect).writerows(rows)
    return buffer.getvalue()


VALUES = [EVIL, "plain", "-5", "+852 1234", "@x", "\tx", "\rx", "a,b", 'say "hi"', "two\nlines", "=a,b\n=c", "", "é😀"]
VALUES += ['"=quoted"', "-1e3", "1-2", "\n-bullet\n+more", "-5x"]
DIALECTS = {
    "gateway": {"quoting": csv.QUOTE_ALL, "lineterminator": "\n"},
    "minimal-crlf": {"lineterminator": "\r\n"},
    "minimal-lf": {"lineterminator": "\n"},
}


@pytest.mark.parametrize("dialect", DIALECTS, ids=list(DIALECTS))
def test_the_file_reads_back_as_each_cell_defused(dialect):
    """Whatever the quoting, a reader gets exactly ``cell_defused`` of every value: no cell split or merged."""
    generator = random.Random(20)
    rows = [[generator.choice(VALUES) for _ in range(generator.randint(1, 6))] for _ in range(200)]
    text = _rows_written(rows, **DIALECTS[dialect])
    assert list(csv.reader(io.StringIO(csv_defused(text)))) == [[cell_defused(v) for v in row] for row in rows]


def test_only_the_prefixed_cells_change():
    gateway = '"Name","Amount","Note"\n"Acme","-5","=1+1"\n"Globex","12","fine, ""quoted"""'
    assert csv_defused(gateway) == '"Name","Amount","Note"\n"Acme","-5","\'=1+1"\n"Globex","12","fine, ""quoted"""'
    assert csv_defused('"a","b"\n"c","d"') == '"a","b"\n"c","d"'


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 4096])
def test_streamed_in_chunks_it_is_the_same_as_whole(size):
    """A chunk may end anywhere: inside a character, a quoted value, a line break inside quotes."""
    generator = random.Random(size)
    rows = [[generator.choice(VALUES) for _ in range(4)] for _ in range(150)]
    data = ("\ufeff" + _rows_written(rows, **DIALECTS["gateway"]).rstrip("\n")).encode()
    defuser = CsvDefuser()
    streamed = b"".join(defuser.feed(data[i : i + size]) for i in range(0, len(data), size)) + defuser.close()
    assert streamed.decode() == "\ufeff" + csv_defused(data.decode()[1:])
    assert "'" + EVIL.replace('"', '""') in streamed.decode()


def test_a_value_longer_than_the_csv_modules_field_limit_streams():
    big = "=" + "x" * 300_000
    data = _rows_written([["a", big], [big, "b"]], **DIALECTS["gateway"]).encode()
    defuser = CsvDefuser()
    streamed = b"".join(defuser.feed(data[i : i + 65536]) for i in range(0, len(data), 65536)) + defuser.close()
    assert streamed.decode() == _rows_written([["a", "'" + big], ["'" + big, "b"]], **DIALECTS["gateway"])
