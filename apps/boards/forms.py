"""Forms for boards, fields and items. Item forms are generated from the board's fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from .fieldtypes import CREATABLE_TYPES, OPTION_TYPES, RATING_MAX, Field, parse_iso

PHONE = RegexValidator(r"^\+?[\d\s().-]{6,20}$", "Enter a phone number such as +852 1234 5678.")
COUNTRY = RegexValidator(r"^[A-Za-z]{2}$", "Enter a two-letter country code such as HK.")


class BoardForm(forms.Form):
    name = forms.CharField(max_length=255, strip=True)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BoardCreateForm(BoardForm):
    identifier = forms.CharField(
        label="Identifier field",
        max_length=100,
        required=False,
        initial="Name",
        help_text="A required, unique text column that names each item. Leave empty for a board without one.",
    )


class FieldForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True)
    type = forms.ChoiceField(choices=CREATABLE_TYPES, initial="ShortText")
    description = forms.CharField(required=False, max_length=500)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For selection types: one option per line, in order.",
    )

    def __init__(self, *args, editing: Field | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None and editing.type not in dict(CREATABLE_TYPES):
            self.fields["type"].choices = [*CREATABLE_TYPES, (editing.type, editing.type_label)]

    def clean_options(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("options", "").splitlines()]
        options = [line for line in lines if line]
        lowered = [option.lower() for option in options]
        duplicates = sorted({option for option in options if lowered.count(option.lower()) > 1})
        if duplicates:
            raise forms.ValidationError(f"Each option must be different: {', '.join(duplicates)}.")
        return options

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("type") in OPTION_TYPES and not cleaned.get("options") and "options" not in self.errors:
            self.add_error("options", "Add at least one option for a selection field.")
        return cleaned

    def option_data(self) -> list[dict]:
        """The ``data`` list for the gateway, keeping the ids of options that kept their label."""
        existing = {option.label.lower(): option.id for option in (self.editing.options if self.editing else ())}
        data = []
        for index, label in enumerate(self.cleaned_data.get("options") or []):
            entry: dict[str, Any] = {"value": label, "order": index}
            if label.lower() in existing:
                entry["id"] = existing[label.lower()]
            data.append(entry)
        return data


def field_key(field: Field) -> str:
    return f"f_{field.id}"


# The gateway stores numbers as doubles: from 1e308 a number is Infinity, past 2**53 an integer loses digits.
# Compared by exponent (Decimal.adjusted), not by arithmetic, which overflows for 1e999999999.
_LARGEST_EXPONENT = 308
_EXACT_EXPONENT = 15


def _storable(value: Decimal) -> None:
    """Refuse what a double cannot hold: ``1e999999999`` is a valid Decimal, and int() of it would take hours."""
    if value and value.adjusted() >= _LARGEST_EXPONENT:
        raise forms.ValidationError("That number is too large to store.")


def _form_field(field: Field) -> forms.Field:
    common: dict[str, Any] = {"label": field.name, "required": field.required, "help_text": field.description}
    kind = field.type
    if kind in ("LongText", "Notes"):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == "Number":
        return forms.DecimalField(widget=forms.NumberInput(attrs={"step": "any"}), validators=[_storable], **common)
    if kind == "Currency":
        widget = forms.NumberInput(attrs={"step": "0.01"})
        return forms.DecimalField(decimal_places=2, widget=widget, validators=[_storable], **common)
    if kind == "Email":
        return forms.EmailField(**common)
    if kind == "Phone":
        return forms.CharField(validators=[PHONE], widget=forms.TextInput(attrs={"type": "tel"}), **common)
    if kind == "Link":
        return forms.URLField(assume_scheme="https", widget=forms.URLInput(attrs={"placeholder": "https://"}), **common)
    if kind == "Date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if kind == "Datetime":
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S"]
        return forms.DateTimeField(widget=widget, input_formats=formats, **common)
    if kind == "Time":
        return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), **common)
    if kind in ("SingleSelection", "Priority"):
        choices = [("", "—"), *((o.label, o.label) for o in field.options)]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "MultipleSelection":
        choices = [(o.label, o.label) for o in field.options]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "Checkbox":
        return forms.BooleanField(**{**common, "required": False})
    if kind == "Rating":
        choices = [("", "—"), *((str(n), "★" * n + "☆" * (RATING_MAX - n)) for n in range(RATING_MAX + 1))]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    if kind == "Country":
        return forms.CharField(validators=[COUNTRY], max_length=2, **common)
    return forms.CharField(max_length=5000, **common)


def _to_gateway(field: Field, value: Any) -> Any:
    """A cleaned form value as the gateway should store it (labels for selections)."""
    if value is None or value == "" or value == []:
        return False if field.type == "Checkbox" else None
    if isinstance(value, Decimal):
        exact = (not value or value.adjusted() < _EXACT_EXPONENT) and value == value.to_integral_value()
        return int(value) if exact else float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00.000Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if field.type == "Country":
        return str(value).upper()
    return value


def _initial(field: Field, value: Any) -> Any:
    """A stored value as the widget's initial value."""
    if value is None:
        return None
    if field.type == "Date":
        moment = parse_iso(value)
        return moment.date() if moment else value
    if field.type == "Datetime":
        moment = parse_iso(value)
        return moment.replace(tzinfo=None) if moment else value
    if field.type in ("SingleSelection", "Priority"):
        return field.label(value)
    if field.type == "MultipleSelection":
        return [field.label(v) for v in (value if isinstance(value, list) else [value])]
    if field.type == "Currency" and isinstance(value, dict):
        return value.get("amounts")
    if field.type == "Country" and isinstance(value, dict):
        return value.get("country_code")
    if field.type == "Phone" and isinstance(value, dict):
        return value.get("calling_code_with_number")
    if field.type == "Rating":
        return str(value)
    return value


class ItemForm(forms.Form):
    """One input per editable field of the board (or only ``only``), named ``f_<field id>``."""

    def __init__(self, *args, board_fields: list[Field], item: dict | None = None, only: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.board_fields = [f for f in board_fields if f.editable and (not only or f.id == only)]
        values = (item or {}).get("fields") or {}
        for field in self.board_fields:
            form_field = _form_field(field)
            if only:
                form_field.required = False if field.type == "Checkbox" else form_field.required
            form_field.widget.attrs.setdefault("data-field-type", field.type)
            self.fields[field_key(field)] = form_field
            if item is not None:
                self.initial[field_key(field)] = _initial(field, values.get(field.id))

    def bound_pairs(self) -> list[tuple[Field, forms.BoundField]]:
        return [(field, self[field_key(field)]) for field in self.board_fields]

    def values(self) -> dict[str, Any]:
        """``{field id: gateway value}`` from cleaned data."""
        return {field.id: _to_gateway(field, self.cleaned_data.get(field_key(field))) for field in self.board_fields}

    def add_gateway_errors(self, field_errors: dict[str, str], message: str) -> None:
        """Put the gateway's words beside the field they name, else on the form."""
        placed = False
        for field in self.board_fields:
            own = field_errors.get(f"fields.{field.id}") or field_errors.get(field.id)
            if own or f"'{field.name}'" in message:
                self.add_error(field_key(field), own or message)
                placed = True
                break
        if not placed:
            self.add_error(None, message)
