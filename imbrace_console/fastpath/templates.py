"""Django's template backend, with each render's context let go of by reference counting.

Stands in for ``Template.render`` and ``DjangoTemplates.from_string`` /
``get_template`` of ``django/template/backends/django.py`` (``TEMPLATES``).

A ``RequestContext`` keeps the dictionaries pushed on it in ``ContextDict``
objects, and each of those points back at the context. Every render thus
leaves a reference cycle holding everything the page was given (an items page:
its rows, cells and markup, about 850 objects), which only the garbage
collector's full passes free. ``make bench`` found those passes pausing the
console for 75-150 ms once enough pages had been served. Emptying the
context's stack when the render is done breaks the cycle.
"""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.context import make_context


class Template(django_backend.Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self.backend)
        finally:
            context.dicts.clear()


class DjangoTemplates(django_backend.DjangoTemplates):
    """``TEMPLATES`` backend: Django's, rendering through ``Template`` above."""

    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self)
