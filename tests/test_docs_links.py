"""Every relative link in README.md and docs/ leads to a file that exists, and to a heading in it.

Code comments that point at a docs page (``docs/contract/flows.md#runs``) are
checked the same way, so a renamed page or heading cannot leave them dangling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
CODE_POINTER = re.compile(r"\b(docs/[\w./-]+\.md)(#[\w-]+)?")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path) -> list[str]:
    """The relative links of one Markdown file that lead nowhere."""
    text = INLINE_CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target} (no such heading)")
    return broken


def test_markdown_links_resolve():
    problems = {str(path.relative_to(ROOT)): broken_links(path) for path in markdown_files()}
    assert {name: links for name, links in problems.items() if links} == {}


def test_code_pointers_to_docs_resolve():
    problems = []
    for folder in ("apps", "imbrace_console", "localgateway", "tests", "bench", "scripts"):
        for source in sorted((ROOT / folder).rglob("*.py")):
            for page, anchor in CODE_POINTER.findall(source.read_text(encoding="utf-8")):
                target = ROOT / page
                if not target.exists() or (anchor and anchor[1:] not in anchors(target)):
                    problems.append(f"{source.relative_to(ROOT)}: {page}{anchor}")
    assert problems == []


def test_a_broken_link_and_a_missing_heading_are_reported(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## Known `traps`, and more\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#known-traps-and-more) [gone](missing.md) [bad](other.md#nowhere)\n"
        "[web](https://example.com) `[code](missing.md)`\n```\n[fenced](missing.md)\n```\n"
    )
    assert broken_links(page) == ["missing.md (no such file)", "other.md#nowhere (no such heading)"]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [("Knowledge files", "knowledge-files"), ("Timeouts, retries and rate limits", "timeouts-retries-and-rate-limits")],
)
def test_slug_matches_github(heading, anchor):
    assert slug(heading) == anchor
