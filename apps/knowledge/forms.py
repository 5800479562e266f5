"""Forms of the knowledge pages: folder names and where a folder goes."""

from __future__ import annotations

from django import forms

ROOT_CHOICE = ("root", "(top level)")
NAME_ERRORS = {"required": "Give the folder a name."}


def _clean_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise forms.ValidationError("Give the folder a name.")
    if "/" in name:
        raise forms.ValidationError("A folder name cannot contain “/”: it separates folders in a path.")
    return name


class FolderCreateForm(forms.Form):
    name = forms.CharField(max_length=255, label="Folder name", error_messages=NAME_ERRORS)
    parent = forms.ChoiceField(label="Inside", initial="root")
    description = forms.CharField(max_length=1000, required=False, label="Description (optional)")

    def __init__(self, *args, folder_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [ROOT_CHOICE, *folder_choices]

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"])


class FolderRenameForm(forms.Form):
    name = forms.CharField(max_length=255, label="Folder name", error_messages=NAME_ERRORS)

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"])


class AssistantToggleForm(forms.Form):
    assistant_id = forms.CharField(max_length=200)
    attach = forms.TypedChoiceField(choices=[("1", "attach"), ("0", "detach")], coerce=lambda v: v == "1")
