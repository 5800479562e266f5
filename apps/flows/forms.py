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


class BoardItemStepForm(forms.Form):
    display_name = forms.CharField(label="Step name", max_length=120, initial="Create board item")
    board = forms.ChoiceField(label="Board")
    mapping = forms.CharField(
        label="Fields",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Name = name\nEmail = email"}),
        help_text=(
            "One field per line: Board field = payload key. A payload key such as company.name reads "
            'trigger.body.company.name; a quoted value ("Lead") is stored as it is; a value with {{…}} is '
            "used as written."
        ),
    )

    def __init__(self, *args, board_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].choices = [("", "Choose a board"), *board_choices]

    def clean_mapping(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["mapping"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, source = line.partition("=")
            name, source = name.strip(), source.strip()
            if not sep or not name or not source:
                raise forms.ValidationError(f"Line {number}: write it as Board field = payload key.")
            if source.startswith('"'):
                try:
                    constant = parse_json(source, what=f"Line {number}")
                except JsonInputError as exc:
                    message = f'Line {number}: close the quoted value with a ".' if exc.kind == "syntax" else str(exc)
                    raise forms.ValidationError(message) from None
                fields[name] = str(constant)
            elif "{{" in source:
                fields[name] = source
            elif _PAYLOAD_KEY.match(source):
                fields[name] = "{{trigger.body." + source + "}}"
            else:
                raise forms.ValidationError(f"Line {number}: “{source}” is not a payload key.")
        if not fields:
            raise forms.ValidationError("Map at least one board field.")
        return fields


def mapping_text(fields: dict) -> str:
    """The mapping textarea for stored fields (``{{trigger.body.x}}`` shown as ``x``)."""
    lines = []
    for name, source in fields.items():
        source = str(source)
        match = re.fullmatch(r"\{\{\s*trigger\.body\.([\w$.-]+)\s*\}\}", source)
        if match:
            source = match.group(1)
        elif "{{" not in source:
            source = json.dumps(source, ensure_ascii=False)
        lines.append(f"{name} = {source}")
    return "\n".join(lines)


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
