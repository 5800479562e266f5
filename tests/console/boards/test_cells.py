"""How each field type's value reads in a cell of the items table (``cell_markup``): markup, escaped.

Pure functions, no gateway: each case is a field type, a value as the gateway
sends it, and the markup the cell holds.
"""

from __future__ import annotations

import pytest
from django.utils.html import escape

from apps.boards.fieldtypes import FIELD_TYPES, Field, Option, cell_markup, esc
from apps.boards.table import Column, header_html, table_rows

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
    ("Rating", float("inf"), stars(0)),  # Python's JSON reads the gateway's Infinity
    ("Rating", float("nan"), stars(0)),
    ("Number", float("inf"), "inf"),
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


HOSTILE_TYPE = 'x" onmouseover="alert(1)'


@pytest.mark.parametrize(
    ("kind", "css"),
    [
        *((kind, f"type-{kind.lower()}") for kind, _ in FIELD_TYPES),
        (HOSTILE_TYPE, "type-other"),
        ("Formula2", "type-other"),
    ],
)
def test_a_cells_class_comes_from_the_known_types_only(kind, css):
    """The field type is gateway text: a type the console does not know never reaches the class attribute."""
    field = Field("f1", "F", kind)
    assert field.view_class == css
    row = table_rows(board_id="b1", fields=[field], items=[{"id": "i1", "fields": {"f1": "v"}}], support=False)[0]
    assert f'<td class="{css}">' in row
    assert "onmouseover" not in header_html([Column(field, "/boards/b1/?sort=x", "")])


def test_an_item_id_that_is_not_an_id_gets_no_links_and_no_editor():
    """``..`` in a link would take the browser to another page of the console (the board's own delete)."""
    fields = [Field("f1", "Name", "ShortText"), Field('f"2', "Odd", "ShortText")]
    items = [
        {"id": "..", "fields": {"f1": "dots"}, "created_at": "2026-05-01T00:00:00Z"},
        {"id": 'i"1', "fields": {"f1": "quoted"}},
        {"id": "good-1", "fields": {"f1": "fine"}, "created_at": '<&>"2026-05-01'},
    ]
    dots, quoted, good = table_rows(board_id="b1", fields=fields, items=items, support=True)
    for row in (dots, quoted):
        assert "href" not in row and "hx-post" not in row and "cell-editable" not in row and "checkbox" not in row
    assert 'id="item-i&quot;1"' in quoted
    assert 'href="/boards/b1/items/good-1/edit/"' in good and 'hx-post="/boards/b1/items/good-1/delete/"' in good
    # Only the field with an id-shaped id is editable; the other is shown.
    assert '<td class="cell-editable type-shorttext">fine</td><td class="type-shorttext">' in good
    assert '<time datetime="&lt;&amp;&gt;&quot;2026-05-01">&lt;&amp;&gt;&quot;2026-0</time>' in good
    header = header_html([Column(field, "/boards/b1/?a=1&b=2", "") for field in fields])
    assert header.count("data-field=") == 1 and 'data-field="f1"' in header
    assert 'href="/boards/b1/?a=1&amp;b=2"' in header
