"""The assistant form: the fields the chat uses, and the model picker."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from imbrace_console.gateway.errors import GatewayError, GatewayValidationError

from .selectors import ModelChoices, model_choice_split, model_choice_value

WORKFLOW_NAME_FORMAT = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    "Use snake_case: lowercase letters, digits and underscores, starting with a letter.",
)
PERSONA_FIELDS = ("personality_role", "tone_and_style", "response_length", "banned_words")

# The service's validation messages, and the field each one is about.
GATEWAY_FIELD_MESSAGES = (
    ("workflow name", "workflow_name"),
    ("assistant name", "name"),
    ("description", "description"),
    ("temperature", "temperature"),
    ("core task", "core_task"),
    ("instructions", "core_task"),
    ("personality", "personality_role"),
    ("tone and style", "tone_and_style"),
    ("response length", "response_length"),
    ("banned words", "banned_words"),
    ("provider", "model"),
)


CORE_TASK_HELP = "The assistant's task. The chat uses this as its instructions."


def _persona_line(label: str, max_length: int, placeholder: str) -> forms.CharField:
    """An optional one-line persona field, with an example of an answer as its placeholder."""
    widget = forms.TextInput(attrs={"placeholder": placeholder})
    return forms.CharField(label=label, max_length=max_length, required=False, widget=widget)


class AssistantForm(forms.Form):
    name = forms.CharField(max_length=256)
    workflow_name = forms.CharField(
        max_length=256,
        required=False,
        validators=[WORKFLOW_NAME_FORMAT],
        help_text="Unique in the organization. Leave blank to generate one from the name.",
    )
    description = forms.CharField(max_length=512, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    core_task = forms.CharField(
        label="Instructions", max_length=32768, widget=forms.Textarea(attrs={"rows": 6}), help_text=CORE_TASK_HELP
    )
    personality_role = _persona_line("Personality and role", 2000, "A patient support agent for Acme")
    tone_and_style = _persona_line("Tone and style", 2000, "Friendly, plain words")
    response_length = _persona_line("Response length", 200, "Short: two or three sentences")
    banned_words = forms.CharField(
        label="Banned words",
        max_length=2000,
        required=False,
        help_text="Comma-separated words the assistant must not use.",
    )
    model = forms.ChoiceField(label="Model", help_text="“System default” uses the deployment's default model.")
    temperature = forms.FloatField(
        min_value=0,
        max_value=2,
        initial=0.1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text="0 is the most predictable, 2 the most varied.",
    )

    def __init__(self, *args, models: ModelChoices, editing: bool = False, current_model: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        groups = list(models.groups)
        chosen = self.data.get("model", "") if self.is_bound else ""
        if models.warnings and chosen and not current_model and chosen not in models.values:
            # A model list failed to load, so the one chosen cannot be checked here: the gateway will.
            current_model = chosen
        if current_model and current_model not in models.values:
            # Keep a model the picker no longer offers (hidden since, or its list failed to load).
            provider_id, model_id = model_choice_split(current_model)
            provider = models.provider_names.get(provider_id, provider_id or "no provider")
            groups.insert(0, ("Current", [(current_model, f"{model_id or 'no model'} ({provider})")]))
        self.fields["model"].choices = groups
        self.fields["model"].initial = current_model or models.default or model_choice_value("system", "Default")
        self.editing = editing
        if editing:
            field = self.fields["workflow_name"]
            field.disabled = True
            field.required = False
            field.help_text = "Set when the assistant was created; the service does not change it."

    def api_fields(self) -> dict:
        """The cleaned form as the service's field names."""
        data = self.cleaned_data
        provider_id, model_id = model_choice_split(data["model"])
        fields = {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "core_task": data["core_task"].strip(),
            "provider_id": provider_id,
            "model_id": model_id,
            "temperature": data["temperature"],
            **{key: data[key].strip() for key in PERSONA_FIELDS},
        }
        if not self.editing:
            fields["workflow_name"] = data["workflow_name"].strip()
        return fields

    def add_gateway_error(self, exc: GatewayError) -> None:
        """Put the gateway's refusal beside the field it is about (or above the form)."""
        if isinstance(exc, GatewayValidationError):
            text = exc.user_message
            lowered = text.lower()
            for fragment, field in GATEWAY_FIELD_MESSAGES:
                if fragment in lowered and field in self.fields and not self.fields[field].disabled:
                    self.add_error(field, text)
                    return
            self.add_error(None, text)
            return
        # Sent but not answered: the message already says it may have been made.
        outcome = "Check the assistants list before sending it again." if exc.maybe_applied else "Nothing was saved."
        self.add_error(None, f"{exc.user_message_with_detail} {outcome} Your input is kept below.")


def form_initial(assistant: dict) -> dict:
    """The form's starting values from an assistant as the service returns it."""
    return {
        "name": assistant.get("name") or "",
        "workflow_name": assistant.get("workflow_name") or "",
        "description": assistant.get("description") or "",
        "core_task": assistant.get("core_task") or "",
        "temperature": assistant.get("temperature") if assistant.get("temperature") is not None else 0.1,
        **{key: assistant.get(key) or "" for key in PERSONA_FIELDS},
    }


def current_model_value(assistant: dict) -> str:
    """The assistant's provider and model as a picker value; blank when it has none (the picker's default)."""
    provider_id, model_id = assistant.get("provider_id"), assistant.get("model_id")
    return model_choice_value(str(provider_id), str(model_id)) if provider_id and model_id else ""


class ResourceForm(forms.Form):
    """Attach or detach one knowledge folder, board or flow."""

    kind = forms.ChoiceField(choices=[("folders", "folders"), ("boards", "boards"), ("flows", "flows")])
    resource_id = forms.CharField(max_length=256)
    op = forms.ChoiceField(choices=[("attach", "attach"), ("detach", "detach")])
