"""``{% url %}`` answered from memory: the same URLs as Django's, per script prefix, with the same errors."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.html import escape

from apps.core.templatetags.remembered_urls import RememberedURLNode, _reverse

BOARD = "6f1c2d4e-0000-4000-8000-000000000001"


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.fixture(autouse=True)
def _fresh():
    _reverse.cache_clear()
    yield
    set_script_prefix("/")


def test_every_template_gets_the_remembering_tag():
    assert isinstance(Template("{% url 'dashboard' %}").nodelist[0], RememberedURLNode)


def test_the_same_urls_as_reverse_and_the_second_from_memory():
    source = "{% url 'boards-detail' board_id %}|{% url 'board-items-update' board_id=board_id item_id='i1' %}"
    expected = (
        f"{reverse('boards-detail', args=[BOARD])}|"
        f"{reverse('board-items-update', kwargs={'board_id': BOARD, 'item_id': 'i1'})}"
    )
    assert render(source, board_id=BOARD) == expected
    assert _reverse.cache_info().misses == 2
    assert render(source, board_id=BOARD) == expected
    assert _reverse.cache_info().hits == 2


def test_a_script_prefix_is_part_of_the_answer():
    assert render("{% url 'dashboard' %}") == "/"
    set_script_prefix("/console/")
    assert render("{% url 'dashboard' %}") == "/console/"


def test_unknown_views_fail_as_in_django_and_as_var_swallows_the_failure():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    assert render("{% url 'no-such-view' as link %}[{{ link }}]") == "[]"
    assert render("{% url 'dashboard' as link %}[{{ link }}]") == "[/]"


def test_an_argument_that_cannot_be_a_key_still_reverses():
    # A list is unhashable: the tag falls back to Django's own rendering, which prints what reverse() makes of it.
    ids = [BOARD]
    assert render("{% url 'boards-detail' ids %}", ids=ids) == escape(reverse("boards-detail", args=[ids]))
    assert _reverse.cache_info().currsize == 0


def test_equal_arguments_of_different_types_are_different_urls():
    source = "{% url 'boards-detail' value %}"
    assert render(source, value=1) == reverse("boards-detail", args=[1])
    assert render(source, value=True) == reverse("boards-detail", args=[True])
    assert _reverse.cache_info().currsize == 2
