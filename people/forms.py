from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.countries import normalize_phone
from crm.models import User
from people.models import Person, Tag
from people.services import clean_tag_name


def clean_spaces(value: str) -> str:
    return " ".join((value or "").split())


class PersonForm(forms.ModelForm):
    """Create and edit a person. Phones are stored in E.164, read in the
    person's country; an agent always owns what they create."""

    confirm_duplicate = forms.BooleanField(
        required=False, label=_("I checked: this is a different person, save it anyway")
    )

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "mobile",
            "city",
            "country",
            "source",
            "stage",
            "owner",
            "tags",
            "notes",
        ]
        widgets = {
            "tags": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "mobile": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = access.assignable_users(user)
        self.fields["owner"].initial = user.pk
        self.fields["owner"].required = False
        self.fields["tags"].queryset = access.tags(user)
        if not access.sees_everything(user):
            # An agent's people are their own: nothing to choose.
            del self.fields["owner"]
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

    def clean_owner(self) -> User:
        return self.cleaned_data.get("owner") or self.user

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
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("tags", "confirm_duplicate", "stage")
        }
        data.setdefault("owner", self.user)
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
