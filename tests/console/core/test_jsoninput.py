"""``parse_json``: every way ``json.loads`` could 500 on typed JSON, or accept what cannot be stored, is a message."""

from __future__ import annotations

import json

import pytest

from apps.core.jsoninput import MAX_DEPTH, JsonInputError, parse_json

REFUSED = [
    ("[" * 100_000, "depth", "nested too deeply: more than 100 levels"),
    ('{"a":' * 100_000, "depth", "nested too deeply"),
    ('"unclosed' + "[" * 1000, "depth", "nested too deeply"),  # unmatched brackets that deep are refused too
    ('{"x": NaN}', "number", "holds NaN, which JSON does not allow"),
    ("[Infinity]", "number", "holds Infinity"),
    ('{"x": -Infinity}', "number", "holds -Infinity"),
    ('{"x": 1e999}', "number", "holds the number 1e999, too large for a JSON number"),
    ("[-1E400]", "number", "holds the number -1E400"),
    ("1" * 5000, "number", "(5000 characters), too large for a JSON number"),
    ('{"x": "\\ud800"}', "text", "unpaired surrogate escape"),
    ('{"name": ', "syntax", "is not valid JSON: Expecting value (line 1, column 10)"),
    ("", "syntax", "is not valid JSON"),
    ("[1] [2]", "syntax", "Extra data"),
]


@pytest.mark.parametrize(("text", "kind", "message"), REFUSED, ids=[f"{n}-{c[1]}" for n, c in enumerate(REFUSED)])
def test_what_json_loads_would_500_on_or_accept_is_a_message(text, kind, message):
    with pytest.raises(JsonInputError) as caught:
        parse_json(text, what="The payload")
    assert caught.value.kind == kind
    assert str(caught.value).startswith("The payload ")
    assert message in str(caught.value)


def test_json_loads_alone_fails_in_ways_a_form_does_not_catch():
    """Why the shared parser exists: these are not JSONDecodeError, or are accepted."""
    with pytest.raises(RecursionError):
        json.loads("[" * 100_000)
    with pytest.raises(ValueError, match="digits"):
        json.loads("1" * 5000)
    assert json.loads("[NaN, 1e999]")[1] == float("inf")


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


ACCEPTED = [
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, nested(MAX_DEPTH)),
    ('{"a": "[[[[{{{{", "b": "\\"[[[["}', {"a": "[[[[{{{{", "b": '"[[[['}),
    (
        '{"grin": "\\ud83d\\ude00", "é": [1, -2.5e10, 1e308, null, true]}',
        {"grin": "😀", "é": [1, -2.5e10, 1e308, None, True]},
    ),
    ("9" * 308, int("9" * 308)),
]


@pytest.mark.parametrize(("text", "value"), ACCEPTED, ids=["max-depth", "brackets-in-strings", "unicode", "big-int"])
def test_json_within_the_limits_parses_as_json_loads_would(text, value):
    assert parse_json(text) == value


def test_one_level_past_the_limit_and_the_size_limit():
    with pytest.raises(JsonInputError, match="nested too deeply"):
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(JsonInputError, match="too long: 11 characters, the limit is 10") as caught:
        parse_json('"123456789"', max_chars=10)
    assert caught.value.kind == "size"
