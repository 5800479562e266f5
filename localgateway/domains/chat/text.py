"""Text helpers of the responder: words, stems, keywords, passages and their ranking."""

from __future__ import annotations

import math
import re
from collections import Counter

from .schema import MAX_PASSAGE_CHARS, STOP_WORDS

# --- text helpers ----------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def keywords(text: str) -> list[str]:
    """Content words of ``text``, lower-cased and singular, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in _words(text):
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(_stem(word), None)
    return list(seen)


def split_passages(source: str, text: str) -> list[tuple[str, str]]:
    """A file's text as passages of at most ~600 characters (paragraphs, long ones cut at sentences)."""
    passages: list[tuple[str, str]] = []
    heading = ""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        if paragraph.startswith("#") and len(paragraph) < 120:
            heading = paragraph.lstrip("#").strip()  # a heading joins the passage it introduces
            continue
        if heading:
            paragraph, heading = f"{heading}: {paragraph}", ""
        chunk = ""
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
            if chunk and len(chunk) + len(sentence) > MAX_PASSAGE_CHARS:
                passages.append((source, chunk))
                chunk = ""
            chunk = f"{chunk} {sentence}".strip()
        if chunk:
            passages.append((source, chunk[: MAX_PASSAGE_CHARS * 2]))
    if heading:
        passages.append((source, heading))
    return passages


def rank_passages(passages: list[tuple[str, str]], query: dict[str, float]) -> list[tuple[float, str, str]]:
    """Passages scored by the idf-weighted query keywords they contain (source names count too), best first."""
    if not passages or not query:
        return []
    bags = [set(keywords(f"{source} {text}")) for source, text in passages]
    frequency = Counter(word for bag in bags for word in bag)
    total = len(passages)
    scored = []
    for (source, text), bag in zip(passages, bags, strict=True):
        score = sum(weight * math.log(1 + total / frequency[word]) for word, weight in query.items() if word in bag)
        if score > 0:
            scored.append((score, source, text))
    scored.sort(key=lambda row: row[0], reverse=True)
    return scored
