"""In Chromium against the live console: strict CSP with no violations, and the credential never leaks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from tests.support import login

from .browsing import Crawl, crawl

pytestmark = pytest.mark.browser

START = ["/", "/assistants/", "/flows/", "/knowledge/", "/boards/", "/audit/", "/users/", "/account/password/"]


@pytest.fixture(scope="module")
def admin_crawl(browser, live_console) -> Crawl:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, live_console, "admin")
        yield crawl(page, live_console.url, start=START)
    finally:
        context.close()


def test_every_page_loads_without_csp_violations(admin_crawl):
    assert len(admin_crawl.pages) >= len(START)
    broken = {p.url: p.status for p in admin_crawl.pages if p.status >= 500}
    assert broken == {}
    violations = {p.url: p.csp_violations for p in admin_crawl.pages if p.csp_violations}
    assert violations == {}


OFF_SITE = re.compile(r"(?:https?:)?//(?!127\.0\.0\.1)")


def _unsafe(tag: str, name: str, url: str, rel: set[str]) -> bool:
    if url.strip().lower().startswith("javascript:"):
        return True
    off_site_link = tag == "a" and name == "href"
    return bool(OFF_SITE.match(url)) and not (off_site_link and {"noopener", "noreferrer"} <= rel)


class InlineFinder(HTMLParser):
    """Inline scripts, style attributes, event-handler attributes, off-site resources and unsafe links, as parsed.

    A resource (any ``src``, a ``<link href>``) must come from the console. A
    link to another site (a board's website field) is a navigation, not a
    resource, and must not hand that site this page: ``rel="noopener noreferrer"``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._in_inline_script = tag == "script" and "src" not in attributes
        rel = set((attributes.get("rel") or "").split())
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
            if name in ("src", "href") and value and _unsafe(tag, name, value, rel):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def test_rendered_markup_has_no_inline_script_style_or_handler(admin_crawl):
    """Belt and braces for the CSP: nothing in our markup even tries to run inline.

    Parsed from the HTML the server sent (escaped gateway text stays text there).
    """
    for visited in admin_crawl.pages:
        finder = InlineFinder()
        finder.feed(visited.source)
        assert finder.found == [], visited.url


def test_the_policy_is_strict(live_console):
    response = httpx.get(live_console.url + "/login/")
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    # The nonce appears only when a page used it; either way nothing but our origin is allowed.
    assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]+')?", directives["script-src"])
    assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]+')?", directives["style-src"])
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "http" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_gateway_credential_never_reaches_a_page_or_the_log(admin_crawl, live_console, localgateway, browser):
    secret = localgateway.api_key
    for visited in admin_crawl.pages:
        assert secret not in visited.source and secret not in visited.html, visited.url
    for url, html in admin_crawl.fragments.items():
        assert secret not in html, url

    # Failures are logged: make the gateway fail and refuse, then read the log.
    localgateway.clear_faults()
    localgateway.add_fault(path="/", kind="status", status=500, times=20)
    try:
        context = browser.new_context()
        page = context.new_page()
        login(page, live_console, "viewer")
        for path in START[:6]:
            page.goto(live_console.url + path)
            assert secret not in page.content()
        assert secret not in page.evaluate("document.cookie")
        context.close()
    finally:
        localgateway.clear_faults()
    log = live_console.log_text()
    assert "gateway" in log  # the log is being written (the client logs each call)
    assert secret not in log


def _found(markup: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(markup)
    return finder.found


def test_the_markup_check_tells_safe_links_from_unsafe_markup():
    """The crawl's check itself: what it lets through and what it flags."""
    assert _found('<a href="/boards/">Boards</a><script src="/static/app.js"></script>') == []
    assert _found('<a href="https://acme.example" target="_blank" rel="noopener noreferrer">acme</a>') == []
    assert _found('<a href="https://acme.example">acme</a>') == ["<a href=https://acme.example>"]
    assert _found('<script src="https://cdn.example/x.js"></script>') == ["<script src=https://cdn.example/x.js>"]
    assert _found('<link rel="stylesheet noopener noreferrer" href="//cdn.example/x.css">') != []
    assert _found('<a href=" JavaScript:alert(1)" rel="noopener noreferrer">x</a>') != []
    assert _found('<p style="color: red" onclick="go()">x</p>') == ["<p style=...>", "<p onclick=...>"]
    assert _found("<script>alert(1)</script>") == ["inline <script>: alert(1)"]
