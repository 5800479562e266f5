"""The one form-field partial: label, required marker, widget, errors and help tied to the widget."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    amount = forms.IntegerField(max_value=2, help_text="At most <b>2</b>.")
    note = forms.CharField(required=False)
    tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)


def field_html(form: forms.Form, name: str) -> str:
    return render_to_string("partials/form_field.html", {"field": form[name]})


def test_an_error_sits_beside_its_field_with_the_value_kept_and_the_widget_pointing_at_it():
    form = SampleForm({"amount": "7", "note": "typed"})
    assert not form.is_valid()
    html = field_html(form, "amount")
    widget = re.search(r"<input[^>]*>", html).group(0)
    assert 'value="7"' in widget and 'aria-invalid="true"' in widget
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in widget
    assert re.search(r'<small class="field-error" id="id_amount_error" role="alert">Ensure this value', html)
    assert '<small class="muted field-help" id="id_amount_helptext">At most &lt;b&gt;2&lt;/b&gt;.</small>' in html
    assert '<span class="required" aria-hidden="true">*</span>' in html


def test_an_optional_valid_field_has_no_marker_error_or_invalid_flag():
    form = SampleForm({"amount": "1", "note": "typed", "tags": ["a"]})
    assert form.is_valid()
    html = field_html(form, "note")
    assert 'value="typed"' in html
    assert "required" not in html and "field-error" not in html and "aria-invalid" not in html


def test_a_checkbox_group_is_a_fieldset_pointing_at_its_error():
    form = SampleForm({"amount": "1"})
    assert not form.is_valid()
    html = field_html(form, "tags")
    assert '<fieldset class="choice-group" aria-invalid="true" aria-describedby="id_tags_error">' in html
    assert "<legend>Tags" in html and 'id="id_tags_error"' in html
