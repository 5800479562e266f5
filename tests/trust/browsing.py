"""Walking the live console in Chromium: every reachable page, with CSP violations recorded."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

# Runs before any page script; collects what the browser refused under the CSP.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + where);
});
"""

# Never follow: leaving the session, static files, and streams that stay open.
SKIP_PREFIXES = ("/logout/", "/static/", "/login/")
SKIP_PARTS = ("/stream", "/events", "/download", "/export")


@dataclass
class VisitedPage:
    url: str
    status: int
    html: str  # the live DOM, serialized (after scripts ran)
    source: str  # the HTML the server sent
    csp_violations: list[str]


@dataclass
class Crawl:
    pages: list[VisitedPage] = field(default_factory=list)
    fragments: dict[str, str] = field(default_factory=dict)  # hx-get URL -> HTML

    @property
    def urls(self) -> list[str]:
        return [page.url for page in self.pages]


def _same_site_path(base: str, href: str | None) -> str | None:
    if not href or href.startswith(("#", "mailto:", "javascript:", "data:")):
        return None
    absolute = urldefrag(urljoin(base, href)).url
    parts, origin = urlsplit(absolute), urlsplit(base)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIP_PREFIXES) or any(part in parts.path for part in SKIP_PARTS):
        return None
    return path


_ID_SEGMENT = re.compile(r"/[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*(?=/|$)")


def page_kind(path: str) -> str:
    """A path with its ids (segments holding a digit) and query left out: the kind of page it is."""
    return _ID_SEGMENT.sub("/<id>", path.split("?", 1)[0])


def crawl(
    page, base_url: str, *, start: list[str], max_pages: int = 80, max_fragments: int = 80, per_kind: int = 2
) -> Crawl:
    """Visit ``start`` and same-site links from there (breadth first), at most ``per_kind`` pages of each kind
    (the sessions' boards, items and runs are many pages of few kinds), plus each ``hx-get`` fragment."""
    page.context.add_init_script(CSP_RECORDER)
    result = Crawl()
    queue, seen = list(start), set(start)
    kinds = Counter(page_kind(path) for path in start)
    fragment_queue: list[str] = []
    while queue and len(result.pages) < max_pages:
        path = queue.pop(0)
        response = page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations || []")
        source = response.text() if response else ""
        status = response.status if response else 0
        result.pages.append(VisitedPage(path, status, page.content(), source, violations))
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        hx = page.eval_on_selector_all("[hx-get]", "els => els.map(e => e.getAttribute('hx-get'))")
        for href in hrefs:
            link = _same_site_path(page.url, href)
            if link and link not in seen and kinds[page_kind(link)] < per_kind:
                seen.add(link)
                kinds[page_kind(link)] += 1
                queue.append(link)
        for href in hx:
            link = _same_site_path(page.url, href)
            if link and link not in result.fragments and link not in fragment_queue:
                fragment_queue.append(link)
    for path in fragment_queue[:max_fragments]:
        response = page.request.get(base_url + path, headers={"HX-Request": "true"})
        result.fragments[path] = response.text()
    return result
