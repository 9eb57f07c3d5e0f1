from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.countries import normalize_phone
from crm.forms import OwnerFieldMixin
from crm.models import User
from people.models import Person, Tag
from people.services import EDITABLE_FIELDS, clean_tag_name


def clean_spaces(value: str) -> str:
    return " ".join((value or "").split())


class PersonForm(OwnerFieldMixin, forms.ModelForm):
    """Create and edit a person. Phones are stored in E.164, read in the
    person's country; an agent always owns what they create."""

    confirm_duplicate = forms.BooleanField(
        required=False, label=_("I checked: this is a different person, save it anyway")
    )

    class Meta:
        model = Person
        fields = [*EDITABLE_FIELDS, "stage", "tags"]
        widgets = {
            "tags": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "mobile": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_owner(user)
        self.fields["tags"].queryset = access.tags(user)
        if self.instance.pk:
            # Stage changes are one-click actions on the person's page, recorded there.
            del self.fields["stage"]

    def clean_first_name(self) -> str:
        return clean_spaces(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return clean_spaces(self.cleaned_data["last_name"])

    def clean_city(self) -> str:
        return clean_spaces(self.cleaned_data["city"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        country = cleaned.get("country", "")
        for name in ("phone", "mobile"):
            raw = cleaned.get(name, "")
            try:
                cleaned[name] = normalize_phone(raw, country)
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def person_fields(self) -> dict:
        """The cleaned values a service takes (tags apart)."""
        data = self.owned_fields()
        for name in ("tags", "confirm_duplicate", "stage"):
            data.pop(name, None)
        return data


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Not interested, duplicate, wrong data...")}),
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Person.Stage.choices)


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "color"]

    def clean_name(self) -> str:
        try:
            return clean_tag_name(self.cleaned_data["name"], exclude_pk=self.instance.pk)
        except ValidationError as error:
            raise ValidationError(error.message_dict["name"]) from None


class TagChoiceForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=Tag.objects.none(), label=_("Tag"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = access.tags(user)
