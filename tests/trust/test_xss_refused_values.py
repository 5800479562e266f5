"""Gateway values the local gateway would refuse (unknown field types, odd option and item ids, weird colours,
javascript: URLs, quotes in ids) are escaped in every context the board pages put them in.

respx, not the local gateway: it validates field types, ids and colours, so it can never send these. The
pages are rendered by the real views; the markup is parsed as a browser would and checked per context:
text (the payload is there, as text), attributes (no attribute or element the payload tried to add, class
tokens only from the console's list), URLs (only http(s), mailto and tel, and no console link with a dot
segment) and JSON (the toast in ``HX-Trigger``). The console has no JSON inside a ``<script>``: the CSP
allows no inline script, so every ``<script>`` must load a static file.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
import respx
from django.urls import reverse

pytestmark = pytest.mark.django_db

GATEWAY = "http://gateway.test"
BOARD = "brd-hostile"
BREAKOUT = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
FIELDS = [
    {"id": "f-type", "name": "Odd type", "type": 'Bogus" onmouseover="window.__xss=3" data-x="'},
    {"id": 'f"quoted' + BREAKOUT, "name": "Quoted id" + BREAKOUT, "type": "ShortText"},
    {
        "id": "f-stage",
        "name": "Stage",
        "type": "SingleSelection",
        "data": [{"id": "opt" + BREAKOUT, "value": "Label" + BREAKOUT, "color": 'red;"><b onclick="x">'}],
    },
    {"id": "f-link", "name": "Website", "type": "Link"},
    {"id": "f-mail", "name": "Email", "type": "Email"},
    {"id": "f-rate", "name": "Rating", "type": "Rating"},
]
ITEMS = [
    {
        "id": "..",
        "fields": {"f-type": "dots", "f-link": "javascript:window.__xss=4", "f-stage": "opt" + BREAKOUT},
        "created_at": BREAKOUT,
    },
    {
        "id": 'i"1' + BREAKOUT,
        "fields": {"f-type": "quoted", "f-link": " JAVASCRIPT:window.__xss=5", "f-rate": 1e308},
    },
    {
        "id": "good-1",
        "fields": {
            "f-type": "Good" + BREAKOUT + "\r\nSet-Cookie: x=1",
            "f-link": 'https://ok.example/"onclick="window.__xss=6',
            "f-mail": 'a"><svg onload="window.__xss=7">@x.io',
            "f-stage": "Label" + BREAKOUT,
        },
        "created_at": "2026-05-01T08:00:00Z",
    },
]
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "hx-delete", "hx-put", "data-cell-url"}
CLASS_TOKEN = re.compile(r"[a-z0-9-]+")


class MarkupAudit(HTMLParser):
    """What a browser would build from the page that gateway text could have added."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "svg", "iframe", "object", "embed", "b"):
            self.problems.append(f"<{tag}> element")
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name == "style" or name == "data-x":
                self.problems.append(f"{name}= on <{tag}>")
            if name == "class" and not all(CLASS_TOKEN.fullmatch(token) for token in value.split()):
                self.problems.append(f"class {value!r}")
            if name in URL_ATTRIBUTES and value:
                self._check_url(tag, name, value)

    def _check_url(self, tag: str, name: str, value: str) -> None:
        scheme = urlsplit(value).scheme.lower()
        if scheme and scheme not in SAFE_SCHEMES:
            self.problems.append(f"{name}={value!r} on <{tag}>")
        if not scheme:
            segments = unquote(urlsplit(value).path).split("/")
            if "." in segments or ".." in segments:  # a browser resolves these to another page of the console
                self.problems.append(f"dot segment in {name}={value!r}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def audit(html: str) -> MarkupAudit:
    parser = MarkupAudit()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def hostile_gateway(settings):
    settings.IMBRACE_BASE_URL = GATEWAY
    with respx.mock(base_url=GATEWAY, assert_all_called=False) as mock:
        board = {"id": BOARD, "name": "Hostile" + BREAKOUT, "description": BREAKOUT, "fields": FIELDS}
        mock.get(f"/data-board/boards/{BOARD}").respond(json={"data": board})
        mock.get(f"/data-board/boards/{BOARD}/items").respond(json={"data": ITEMS, "count": len(ITEMS)})
        mock.get(f"/data-board/boards/{BOARD}/items/good-1").respond(json={"data": ITEMS[2]})
        mock.delete(f"/data-board/boards/{BOARD}/items/good-1").respond(json={"data": {"id": "good-1"}})
        yield mock


@pytest.mark.parametrize("role", ["Viewer", "Support"])
@pytest.mark.parametrize("partial", [False, True], ids=["page", "htmx-region"])
def test_the_items_table_escapes_every_refused_value(console_client, hostile_gateway, role, partial):
    headers = {"HX-Request": "true", "HX-Target": "items-region"} if partial else {}
    response = console_client.as_role(role).get(reverse("boards-detail", kwargs={"board_id": BOARD}), headers=headers)
    assert response.status_code == 200
    page = audit(response.content.decode())
    assert page.problems == []
    text = "".join(page.text)
    # The payloads are on the page, as text: escaping, not their absence, kept them inert.
    assert "Label" + BREAKOUT in text and "Good" + BREAKOUT in text and "javascript:window.__xss=4" in text
    html = response.content.decode()
    assert 'class="type-other"' in html or 'class="cell-editable type-other"' in html
    assert 'href="https://ok.example/&quot;onclick=&quot;window.__xss=6"' in html


def test_the_cell_fragment_and_the_item_form_escape_them(console_client, hostile_gateway):
    support = console_client.as_role("Support")
    for field_id in ("f-type", "f-stage", "f-link", "f-mail"):
        url = reverse("board-items-cell", kwargs={"board_id": BOARD, "item_id": "good-1", "field_id": field_id})
        response = support.get(url)
        assert response.status_code == 200 and audit(response.content.decode()).problems == []
    form = support.get(reverse("board-items-update", kwargs={"board_id": BOARD, "item_id": "good-1"}))
    assert form.status_code == 200
    assert audit(form.content.decode()).problems == []


def test_a_toast_carries_gateway_text_as_json_only(console_client, hostile_gateway):
    url = reverse("board-items-delete", kwargs={"board_id": BOARD, "item_id": "good-1"})
    response = console_client.as_role("Support").post(url, {"inline": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    header = response["HX-Trigger"]
    # ASCII with no line break: the text cannot end the header; console.js shows the message as textContent.
    assert header.isascii() and "\n" not in header and "\r" not in header
    assert json.loads(header)["toast"]["message"] == f"Item “Good{BREAKOUT}\r\nSet-Cookie: x=1” deleted."
    assert "Set-Cookie" not in response.headers


def test_the_audit_sees_each_kind_of_breakout():
    """The checks can fail: each of these, unescaped, is caught."""
    for markup in (
        '<td class="type-x" onmouseover="x">',
        '<td class="type-bogus&quot; x">',
        '<a href="javascript:alert(1)">',
        '<a href="/boards/b/items/../delete/">',
        "<script>alert(1)</script>",
        "<img src=x>",
    ):
        assert audit(markup).problems, markup
