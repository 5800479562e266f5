"""How each field type's value reads in a cell of the items table (``cell_markup``): markup, escaped.

Pure functions, no gateway: each case is a field type, a value as the gateway
sends it, and the markup the cell holds.
"""

from __future__ import annotations

import pytest
from django.utils.html import escape

from apps.boards.fieldtypes import Field, Option, cell_markup, esc

OPTIONS = (Option("o1", "Lead"), Option("o2", "Won <big>"))
EMPTY = '<span class="empty-value" aria-label="empty"></span>'
NO = '<span class="bool-value">No</span>'
LINK = 'target="_blank" rel="noopener noreferrer"'
LONG_URL = "https://e.com/" + "p" * 50


def chips(*labels: str) -> str:
    return "".join(f'<span class="chip">{label}</span>' for label in labels)


def stars(filled: int) -> str:
    label = f"{filled} of 5"
    glyphs = "&#9733;" * filled + "&#9734;" * (5 - filled)
    return f'<span class="rating" aria-label="{label}" title="{label}">{glyphs}</span>'


CASES = [
    # Text, and what any type shows when it has no value
    ("ShortText", "Acme & Co", "Acme &amp; Co"),
    ("ShortText", None, EMPTY),
    ("ShortText", "", EMPTY),
    ("ShortText", 42, "42"),
    ("ShortText", ["a", "b<"], "a, b&lt;"),
    ("ShortText", {"x": 1}, "{&#x27;x&#x27;: 1}"),
    ("Time", "10:30", "10:30"),
    ("Formula", 5, "5"),
    ("LongText", "x" * 85, f'<span class="long-value" title="{"x" * 85}">{"x" * 79}&hellip;</span>'),
    ("LongText", "short <b>", '<span class="long-value" title="short &lt;b&gt;">short &lt;b&gt;</span>'),
    ("Notes", "n", '<span class="long-value" title="n">n</span>'),
    # Numbers
    ("Number", 1234567, "1,234,567"),
    ("Number", 12.5, "12.5"),
    ("Number", 3.0, "3"),
    ("Number", "12 <3", "12 &lt;3"),
    ("Number", True, "True"),
    ("Currency", {"amounts": 1500.5, "currency_code": "HKD"}, "HKD 1,500.5"),
    ("Currency", {"amounts": 7}, "7"),
    ("Currency", 12, "12"),
    # Links: only http(s) becomes a link
    ("Email", "a&b@x.io", '<a href="mailto:a&amp;b@x.io">a&amp;b@x.io</a>'),
    ("Phone", "+852 1234", '<a href="tel:+852 1234">+852 1234</a>'),
    ("Phone", {"calling_code_with_number": "+1 555"}, '<a href="tel:+1 555">+1 555</a>'),
    (
        "Link",
        "https://e.com/a?b=1&c=2",
        f'<a href="https://e.com/a?b=1&amp;c=2" {LINK}>https://e.com/a?b=1&amp;c=2</a>',
    ),
    ("Link", "javascript:alert(1)", "javascript:alert(1)"),
    ("Link", LONG_URL, f'<a href="{LONG_URL}" {LINK}>{LONG_URL[:39]}&hellip;</a>'),
    # Dates, in UTC
    ("Date", "2026-05-01", "2026-05-01"),
    ("Date", "not a date", "not a date"),
    ("Datetime", "2026-05-01T08:01:00Z", "2026-05-01 08:01 UTC"),
    ("Datetime", "2026-05-01T10:01:00+02:00", "2026-05-01 08:01 UTC"),
    # Options: an option id (from search) or a label (from the item list) shows the label
    ("SingleSelection", "o1", chips("Lead")),
    ("SingleSelection", "Won <big>", chips("Won &lt;big&gt;")),
    ("SingleSelection", "gone", chips("gone")),
    ("Priority", "o2", chips("Won &lt;big&gt;")),
    ("MultipleSelection", ["o1", "o2"], chips("Lead", "Won &lt;big&gt;")),
    ("MultipleSelection", "o1", chips("Lead")),
    ("MultipleSelection", [], EMPTY),
    # Checkbox: only true is Yes; an empty string is No, a missing value is empty
    ("Checkbox", True, '<span class="bool-value is-true">&#10003; Yes</span>'),
    ("Checkbox", False, NO),
    ("Checkbox", "", NO),
    ("Checkbox", "yes", NO),
    ("Checkbox", None, EMPTY),
    ("Rating", 3, stars(3)),
    ("Rating", "4.6", stars(5)),
    ("Rating", 9, stars(5)),
    ("Rating", "bad", stars(0)),
    ("Country", {"country_name": "Hong Kong", "country_code": "HK"}, "Hong Kong"),
    ("Country", {"country_code": "FR"}, "FR"),
    ("Country", "DE", "DE"),
    # People and files as chips
    ("Assignee", {"id": "u1", "display_name": "Ana <A>"}, chips("Ana &lt;A&gt;")),
    ("MultipleAssignee", [{"id": "u1", "email": "b@x.io"}, {"id": "u3"}, "u4"], chips("b@x.io", "u3", "u4")),
    ("Attachment", [{"data": {"name": "q.pdf"}}, {"data": {}}, "junk"], chips("q.pdf", "file")),
    ("Attachment", "file.txt", "file.txt"),
    # A table in a table: its row count, not the expanded value
    ("TableInTable", {"count": 2, "sum": 3, "data": []}, "2 rows"),
    ("TableInTable", {"count": 1, "sum": 0, "data": []}, "1 row"),
]


@pytest.mark.parametrize(("kind", "value", "markup"), CASES, ids=[f"{case[0]}-{n}" for n, case in enumerate(CASES)])
def test_a_value_reads_in_its_cell(kind, value, markup):
    assert cell_markup(Field("f1", "F", kind, options=OPTIONS), value) == markup


@pytest.mark.parametrize("value", ["plain text", "", "a & b", "<b>", '"quoted"', "it's", "&amp;", 12.5, None])
def test_esc_escapes_as_django_does(value):
    assert esc(value) == str(escape(value))
