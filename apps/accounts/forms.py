from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator

from apps.core.roles import Role

ROLE_CHOICES = [(role.group_name, role.group_name) for role in Role]


def role_from(name: str) -> Role:
    return Role[name.upper()]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        help_text="Viewer reads; Support also edits board items and uploads files; Operator also manages "
        "assistants, flows, folders, boards and fields; Admin also manages users and sees everyone's audit log.",
    )


class UserCreateForm(RoleForm):
    """A new console user. Validated in a worker thread: it queries the database and hashes."""

    field_order = ["username", "role", "password1", "password2"]

    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A console user with that name already exists.")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            user = get_user_model()(username=cleaned.get("username", ""))
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
