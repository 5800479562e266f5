"""``{% url %}``, remembering its answers.

Django's ``reverse`` works a URL out afresh on every call, about 10 µs here,
and a page prints 15 to 30 of them (the navigation, the page's actions). While
the process runs, the URL patterns do not change, so the same view name,
arguments, current app, script prefix and URL conf always give the same path.
This tag keeps the last 4,096 answers. On the items page, that is about 1.2
million fewer instructions a page (3 %; ``make bench-instructions``).

``settings.TEMPLATES`` lists this module in ``builtins``. Builtins come after
Django's own, so every template's ``{% url %}`` is this one, with the same
syntax and errors. Arguments that cannot be a cache key (a list, say) go to
``reverse`` every time.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_NO_ATTRIBUTE = object()


@lru_cache(maxsize=4096)
def _reverse(view_name, args: tuple, kwargs: tuple, current_app, script_prefix: str, urlconf) -> str:
    # Each argument comes with its type (1, 1.0 and True are equal keys but not equal URLs);
    # script_prefix is part of the key only: reverse() reads the same prefix itself.
    return reverse(
        view_name,
        urlconf=urlconf,
        args=[value for _, value in args],
        kwargs={key: value for key, _, value in kwargs},
        current_app=current_app,
    )


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


def _current_app(context) -> str | None:
    """The namespace ``reverse`` resolves in: the request's ``current_app``, else its resolved namespace."""
    request = getattr(context, "request", None)
    current_app = getattr(request, "current_app", _NO_ATTRIBUTE)
    if current_app is not _NO_ATTRIBUTE:
        return current_app
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


class RememberedURLNode(URLNode):
    def render(self, context) -> str:
        view_name = self.view_name.resolve(context)
        values = [arg.resolve(context) for arg in self.args]
        named = {name: arg.resolve(context) for name, arg in self.kwargs.items()}
        args = tuple((type(value), value) for value in values)
        kwargs = tuple((name, type(value), value) for name, value in sorted(named.items()))  # names are unique
        key = (view_name, args, kwargs, _current_app(context), get_script_prefix(), get_urlconf())
        try:
            hash(key)
        except TypeError:
            return super().render(context)
        try:
            url = _reverse(*key)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> RememberedURLNode:
    """Django's ``{% url %}`` (same syntax), answered from the cache above when it can be."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
