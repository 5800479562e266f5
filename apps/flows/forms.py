"""Forms of the flows area: what an operator types, checked before anything reaches the gateway."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms

from apps.core.jsoninput import JsonInputError, parse_json

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_PAYLOAD_KEY = re.compile(r"^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$")


def parse_json_object(text: str, *, what: str) -> dict:
    """A JSON object typed in an editor; too deep, NaN, infinities and the like are a message (apps.core.jsoninput)."""
    try:
        value = parse_json(text, what=what)
    except JsonInputError as exc:
        raise forms.ValidationError(str(exc)) from None
    if not isinstance(value, dict):
        raise forms.ValidationError(f'{what} must be a JSON object, like {{"name": "Ada"}}.')
    return value


class FlowNameForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=200, strip=True)


class FlowFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("ENABLED", "Enabled"), ("DISABLED", "Disabled")]
    )
    cursor = forms.CharField(required=False, max_length=2000)


class RunFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            ("QUEUED", "Queued"),
            ("RUNNING", "Running"),
            ("SUCCEEDED", "Succeeded"),
            ("FAILED", "Failed"),
            ("TIMEOUT", "Timed out"),
            ("INTERNAL_ERROR", "Internal error"),
        ],
    )
    flow = forms.CharField(required=False, max_length=64)
    cursor = forms.CharField(required=False, max_length=2000)


class ReturnResponseForm(forms.Form):
    status = forms.IntegerField(label="Status", min_value=100, max_value=599, initial=200)
    response_type = forms.ChoiceField(
        label="Body type",
        choices=[("json", "JSON"), ("raw", "Text"), ("redirect", "Redirect (body is the URL)")],
        initial="json",
    )
    headers = forms.CharField(
        label="Headers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "X-Source: imbrace"}),
        help_text="One header per line, as Name: value.",
    )
    body = forms.CharField(
        label="Body",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
        help_text="Refer to the request with {{trigger.body.name}} and to earlier steps with {{step_1.id}}.",
    )
    respond = forms.ChoiceField(
        label="After responding",
        choices=[("stop", "Stop the flow"), ("respond", "Keep running the next steps")],
        initial="stop",
    )

    def clean_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["headers"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep or not _HEADER_NAME.match(name.strip()):
                raise forms.ValidationError(f"Line {number} is not a header: write it as Name: value.")
            headers[name.strip()] = value.strip()
        return headers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        body = cleaned.get("body", "")
        if cleaned.get("response_type") == "json" and body.strip():
            try:
                cleaned["body_value"] = parse_json(body, what="The body")
            except JsonInputError as exc:
                self.add_error("body", str(exc))
        elif cleaned.get("response_type") == "redirect" and not body.strip():
            self.add_error("body", "A redirect needs the URL to send the caller to.")
        else:
            cleaned["body_value"] = body if body.strip() else {}
        return cleaned


def _source(text: str, *, where: str) -> str:
    """One value typed for a board field or a record id: a payload key, a "quoted constant" or {{…}}."""
    if text.startswith('"'):
        try:
            constant = parse_json(text, what=where)
        except JsonInputError as exc:
            raise forms.ValidationError(
                f'{where}: close the quoted value with a ".' if exc.kind == "syntax" else str(exc)
            ) from None
        return str(constant)
    if "{{" in text:
        return text
    if _PAYLOAD_KEY.match(text):
        return "{{trigger.body." + text + "}}"
    raise forms.ValidationError(f"{where}: “{text}” is not a payload key.")


def _shown(source: str) -> str:
    """A stored value as typed: ``{{trigger.body.x}}`` shown as ``x``, a constant quoted."""
    match = re.fullmatch(r"\{\{\s*trigger\.body\.([\w$.-]+)\s*\}\}", source)
    if match:
        return match.group(1)
    return source if "{{" in source else json.dumps(source, ensure_ascii=False)


class BoardStepForm(forms.Form):
    """The data-board step (``auto_data_board``): create, update or get one item of a board."""

    display_name = forms.CharField(label="Step name", max_length=120, initial="Create board item")
    board = forms.ChoiceField(label="Board")
    operation = forms.ChoiceField(
        label="Operation",
        choices=[
            ("create", "Create an item"),
            ("update", "Update an item by its id"),
            ("search", "Get an item by its id"),
        ],
        initial="create",
    )
    record_id = forms.CharField(
        label="Item id",
        required=False,
        max_length=500,
        help_text="For update and get: a payload key (item_id reads {{trigger.body.item_id}}), "
        'a quoted fixed id ("665f…"), or a {{…}} reference.',
    )
    input_method = forms.ChoiceField(
        label="Send the values as",
        choices=[
            ("json", "JSON: values go to the board as they are"),
            ("field", "Field pairs: the piece formats each"),
        ],
        initial="json",
        help_text="Field pairs keep a number only if the payload sends a number, and tick a checkbox only for "
        "“is_checked”; JSON is the safer choice.",
    )
    mapping = forms.CharField(
        label="Fields",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Name = name\nEmail = email"}),
        help_text=(
            "For create and update, one field per line: Board field = payload key. A payload key such as "
            'company.name reads trigger.body.company.name; a quoted value ("Lead") is stored as it is; a value '
            "with {{…}} is used as written."
        ),
    )

    def __init__(self, *args, board_choices: list[tuple[str, str]], board_fields: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].choices = [("", "Choose a board"), *board_choices]
        self.board_fields = board_fields

    def clean_record_id(self) -> str:
        text = self.cleaned_data["record_id"].strip()
        return _source(text, where="The item id") if text else ""

    def _field_for(self, name: str) -> dict | None:
        for match in (
            lambda f: f["name"] == name,
            lambda f: f["id"] == name,
            lambda f: f["name"].lower() == name.lower(),
        ):
            found = next((f for f in self.board_fields if match(f)), None)
            if found is not None:
                return found
        return None

    def clean_mapping(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["mapping"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, source = line.partition("=")
            name, source = name.strip(), source.strip()
            if not sep or not name or not source:
                raise forms.ValidationError(f"Line {number}: write it as Board field = payload key.")
            value = _source(source, where=f"Line {number}")
            if self.board_fields:
                board_field = self._field_for(name)
                if board_field is None:
                    known = ", ".join(f["name"] for f in self.board_fields)
                    raise forms.ValidationError(f"Line {number}: the board has no field “{name}” ({known}).")
                name = board_field["id"]
            values[name] = value
        return values

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        operation = cleaned.get("operation")
        if operation in ("update", "search") and not cleaned.get("record_id") and "record_id" not in self.errors:
            self.add_error("record_id", "Say which item: its id, or the payload key that carries it.")
        if operation in ("create", "update") and not cleaned.get("mapping") and "mapping" not in self.errors:
            self.add_error("mapping", "Map at least one board field.")
        if operation in ("create", "update") and cleaned.get("board") and not self.board_fields:
            self.add_error("board", "The fields of this board could not be read; try again or choose another board.")
        return cleaned


def mapping_text(values: dict, board_fields: list[dict]) -> str:
    """The mapping textarea for stored values keyed by field id (or name), shown by field name."""
    names = {f["id"]: f["name"] for f in board_fields}
    return "\n".join(f"{names.get(key, key)} = {_shown(str(source))}" for key, source in values.items())


def source_text(source: str) -> str:
    return _shown(source) if source else ""


class TriggerForm(forms.Form):
    payload = forms.CharField(
        label="Payload (JSON)",
        widget=forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"}),
        initial="{}",
    )
    mode = forms.ChoiceField(choices=[("async", "Trigger"), ("sync", "Trigger and wait for the response")])

    def clean_payload(self) -> dict:
        return parse_json_object(self.cleaned_data["payload"], what="The payload")


class ToolForm(forms.Form):
    description = forms.CharField(
        label="Tool description",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the assistant reads to decide when to call this flow.",
    )
    parameters = forms.CharField(
        label="Parameters (JSON Schema)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code", "spellcheck": "false"}),
        help_text="The arguments the assistant sends; the flow reads them as {{trigger.body.<name>}}.",
    )

    def clean_parameters(self) -> dict:
        text = self.cleaned_data["parameters"].strip()
        if not text:
            return {"type": "object", "properties": {}}
        schema = parse_json_object(text, what="The parameter schema")
        if schema.get("type") != "object":
            raise forms.ValidationError('The parameters must be an object schema: {"type": "object", ...}.')
        if not isinstance(schema.get("properties", {}), dict):
            raise forms.ValidationError("“properties” must be an object.")
        return schema
