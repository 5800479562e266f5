from __future__ import annotations

from django import forms

from .models import AuditEvent
from .selectors import AuditFilterChoices, AuditFilters


def _choices(values: list[str], current: str, *, blank: str) -> list[tuple[str, str]]:
    """The values seen in the log, plus the one in the URL (a shared link may name one not seen yet)."""
    options = sorted({*values, current} - {""})
    return [("", blank), *((value, value) for value in options)]


class AuditFilterForm(forms.Form):
    """The audit page's filters. Read from the query string so a filtered view is a link."""

    user = forms.ChoiceField(required=False)
    area = forms.ChoiceField(required=False)
    action = forms.ChoiceField(required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *AuditEvent.Outcome.choices])
    since = forms.DateTimeField(
        required=False, label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    until = forms.DateTimeField(
        required=False, label="To", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, data, *, choices: AuditFilterChoices, sees_everyone: bool) -> None:
        super().__init__(data)
        self.fields["user"].choices = _choices(choices.users, self.data.get("user", ""), blank="Everyone")
        self.fields["area"].choices = _choices(choices.areas, self.data.get("area", ""), blank="Any area")
        self.fields["action"].choices = _choices(choices.actions, self.data.get("action", ""), blank="Any action")
        if not sees_everyone:
            del self.fields["user"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end is before the start.")
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters that are valid; an invalid one is shown with its error and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            user=data.get("user") or "",
            area=data.get("area") or "",
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
