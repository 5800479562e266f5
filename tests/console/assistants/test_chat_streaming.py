"""Markdown rendered as the answer streams (apps/assistants/chat/streaming.py), fed a word at a time."""

from __future__ import annotations

import asyncio
import re
import threading
from html.parser import HTMLParser

import pytest

from apps.assistants.chat import streaming
from apps.assistants.chat.services import _Answer
from apps.assistants.chat.streaming import OPEN_CAP, MarkdownStream
from apps.assistants.markdown import ALLOWED_TAGS, markdown_render

RICH = (
    "Intro with **bold** and `code`.\n\n"
    "- one\n- two **b**\n  - nested\n    1. deep\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n"
    "```py\nx = 1\n\ny = 2\n```\n\n"
    "> quote\n> more\n\n"
    "Setext heading\n---\n\n"
    "[ref]: https://example.com\n\n"
    "See [ref] and ~~old~~.\n"
)


def words(text: str) -> list[str]:
    """Cut as the gateway streams: each word with the white space after it."""
    return re.findall(r"\S+\s*", text)


def feed(text: str, pieces: list[str] | None = None) -> tuple[list[streaming.Update], list[list[streaming.Update]]]:
    """Stream ``text`` in ``pieces`` (its words): (every update, the updates of each step), the final step last."""
    stream, so_far, steps = MarkdownStream(), "", []
    for piece in pieces or words(text):
        so_far += piece
        steps.append(stream.update(so_far))
    assert so_far == text
    steps.append(stream.update(text, final=True))
    return [update for step in steps for update in step], steps


def shown(updates: list[streaming.Update]) -> str:
    """The answer's HTML as the page holds it after ``updates``: the blocks, then the open block and its more."""
    blocks, tail = "", ""
    for update in updates:
        if update.kind == "block":
            blocks += update.html
        elif update.kind == "open":
            tail = update.html
        else:
            tail += f'<span class="chat-more">{update.html}</span>'
    return blocks + tail


def test_the_streamed_blocks_add_up_to_the_whole_answer_rendered():
    updates, _ = feed(RICH)
    blocks = [update for update in updates if update.kind == "block"]
    assert "".join(update.html for update in blocks) == markdown_render(RICH)
    assert "".join(update.text for update in blocks) == RICH, "each finished block is sent once"
    assert len(blocks) >= 7, "the blocks are sent as they finish, not at the end"
    assert updates[-1].kind == "open" and updates[-1].html == "", "the open block is emptied at the end"
    assert '<a href="https://example.com"' in blocks[-1].html, "an earlier link definition still applies"


def test_every_step_shows_the_answer_so_far_rendered():
    _, steps = feed(RICH)
    page: list[streaming.Update] = []
    for step in steps[:-1]:
        page += step
        html = shown(page)
        assert "**" not in html, html
        assert "<br" not in html
    assert shown(page + steps[-1]) == markdown_render(RICH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Intro\n\n```py\nx = 1\ny = 2", '<pre><code class="language-py">x = 1\ny = 2'),  # an open fence is code
        ("```\n<b>tag</b>", "<pre><code>&lt;b&gt;tag&lt;/b&gt;"),
        ("| a | b |\n", "<th>a</th>\n<th>b</th>"),  # the delimiter row has not come yet
        ("| a | b |\n|---|--", "<th>a</th>\n<th>b</th>"),
        ("| a | b |\n|---|---|\n| 1 | 2", "<td>1</td>\n<td>2</td>"),  # half a row
        ("- one\n- two\n  - nested", "<li>two\n<ul>\n<li>nested</li>"),
        ("Some **bold tex", "Some <strong>bold tex</strong>"),
        ("Run `make te", "Run <code>make te</code>"),
        ("1. first\n2. sec", "<ol>\n<li>first</li>\n<li>sec</li>"),
    ],
)
def test_an_unfinished_construct_is_rendered_sensibly(text, expected):
    [*_, last] = MarkdownStream().update(text)
    assert last.kind == "open"
    assert expected in last.html, last.html


@pytest.mark.parametrize("marker", ["-", "--", "1.", "|", "#", "```", "**"])
def test_a_last_line_of_markers_waits_for_its_text(marker):
    """``Paragraph\\n-`` would be a heading for an instant; a list item follows once its words come."""
    assert shown(MarkdownStream().update("A paragraph\n" + marker)) == "<p>A paragraph</p>\n"


def test_a_long_open_block_is_rendered_again_only_as_it_grows_by_half():
    text = "word " * 4000  # one paragraph of 20,000 characters, never finished until the end
    updates, steps = feed(text, [text[start : start + 10] for start in range(0, len(text), 10)])
    opens = [update for update in updates if update.kind == "open"][:-1]
    more = [update for update in updates if update.kind == "more"]
    assert len(opens) < OPEN_CAP // 10 + 20, "above the cap the block is not rendered on every update"
    assert "".join(update.text for update in more) in text and more, "the text between comes as plain text"
    under_cap = OPEN_CAP // 10  # the steps before: each renders at most OPEN_CAP characters again
    assert all(len(update.html) < OPEN_CAP + 100 for step in steps[:under_cap] for update in step)
    sent = sum(len(update.html) for step in steps[under_cap:] for update in step)
    assert sent < 8 * len(text), f"above the cap the wire stays proportional to the text ({sent} for {len(text)})"
    assert shown(updates) == markdown_render(text)


@pytest.mark.parametrize(
    "hostile",
    [
        "Hi <script>alert(1)</script> **there**\n\n",
        "[click](javascript:alert(1)) and <img src=x onerror=alert(1)>\n\n",
        "```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>",  # an open fence with HTML in it
        "| <b>a</b> | b |\n|---|---|\n| <i onclick=x>1</i> | [x](javascript:void) |",
        "<svg onload=alert(1)>\n\n**<iframe src=//evil>**",
    ],
)
def test_no_html_of_the_answer_becomes_markup_at_any_step(hostile):
    updates, _ = feed(hostile, list(hostile))  # a character at a time: every cut
    for update in updates:
        markup = Markup()
        markup.feed(update.html)
        assert markup.tags <= ALLOWED_TAGS, update
        assert not [name for name, _ in markup.attrs if name.startswith("on")], update
        assert not [value for name, value in markup.attrs if name == "href" and "javascript" in value.lower()]
    assert "&lt;" in "".join(update.html for update in updates), "the markup is shown as text"


class Markup(HTMLParser):
    """The elements and attributes of some HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def test_more_is_escaped_text():
    text = "x" * (OPEN_CAP + 10) + " <script>alert(1)</script>"
    stream = MarkdownStream()
    stream.update(text[: OPEN_CAP + 10])
    [more] = stream.update(text)
    assert more.kind == "more"
    assert more.html == " &lt;script&gt;alert(1)&lt;/script&gt;"


async def test_the_relay_renders_more_than_a_little_in_a_worker_thread(monkeypatch):
    """Markdown can take seconds on hostile text: off the event loop, except for small work."""
    threads = []
    real = MarkdownStream.update

    def update(self, text, *, final=False):
        threads.append(threading.get_ident())
        return real(self, text, final=final)

    monkeypatch.setattr(MarkdownStream, "update", update)
    answer = _Answer()
    answer.apply({"type": "text-delta", "id": "t", "delta": "Hello **there**"})
    [event] = await answer.changes()
    assert event.kind == "tail" and "<strong>there</strong>" in event.html
    answer.apply({"type": "text-delta", "id": "t", "delta": " [" * 2000})
    events = await answer.changes()
    assert [event.kind for event in events] == ["tail"]
    assert threads[0] == threading.get_ident(), "a few words are rendered in place"
    assert threads[1] != threading.get_ident(), "a long block is rendered in a worker thread"
    assert await answer.changes() == [], "nothing new, nothing rendered"
    assert len(threads) == 2
    await asyncio.sleep(0)
