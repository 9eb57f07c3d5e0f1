from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm import access, bounds, team
from crm.countries import COUNTRIES, normalize_phone, viewer_country
from crm.custom_fields import CustomFieldsFormMixin
from crm.forms import OwnerFieldMixin
from crm.models import Consent, User
from crm.versioning import VersionedFormMixin
from people.models import Person, Tag
from people.services import EDITABLE_FIELDS, clean_tag_name


def clean_spaces(value: str) -> str:
    return " ".join((value or "").split())


class PersonForm(CustomFieldsFormMixin, VersionedFormMixin, OwnerFieldMixin, forms.ModelForm):
    """Create and edit a person. Phones are stored in E.164, read in the
    person's country; an agent always owns what they create."""

    custom_model = "people"
    confirm_duplicate = forms.BooleanField(
        required=False, label=_("I checked: this is a different person, save it anyway")
    )

    class Meta:
        formfield_callback = bounds.formfield
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
        if not self.instance.pk and "country" not in self.initial:
            self.fields["country"].initial = viewer_country()
        self.fields["tags"].queryset = access.tags(user)
        self.setup_custom_fields()
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
        data = self.without_custom_fields(data)
        data["custom"] = self.custom_values()
        return data

    def duplicates(self, user, exclude_pk: int | None = None) -> dict | None:
        """Others this person may be (same email or phone), unless the user confirmed."""
        from people import services

        data = self.cleaned_data
        if data.get("confirm_duplicate"):
            return None
        return services.duplicate_warning(
            user=user, email=data["email"], phones=[data["phone"], data["mobile"]], exclude_pk=exclude_pk
        )

    def save_for(self, by: User, person: Person | None = None) -> Person:
        """Create the person, or update ``person``, through the services."""
        from people import services

        if person is None:
            return services.person_create(
                by=by,
                tags=self.cleaned_data["tags"],
                stage=self.cleaned_data["stage"],
                **self.person_fields(),
            )
        return services.person_update(
            person=person, by=by, tags=self.cleaned_data["tags"], version=self.version, **self.person_fields()
        )


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


class ImportForm(forms.Form):
    """Upload a file and choose what every new person gets."""

    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
        help_text=_("The first row must name the columns, in Spanish, Portuguese or English."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner of new people"), queryset=User.objects.none(), required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage of new people"), choices=Person.Stage.choices, initial="prospect"
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags to add"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    country = forms.ChoiceField(
        label=_("Country of rows without one"),
        choices=COUNTRIES,
        required=False,
        help_text=_("Phones without a country code are read in this country when a row names none."),
    )

    consent = forms.MultipleChoiceField(
        label=_("The people in this file consented to"),
        choices=[
            ("sales", _("Sales contact by email, phone and WhatsApp")),
            ("marketing", _("Marketing email")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Recorded for each person of the file, with the file's name as how they gave it."),
    )

    def __init__(self, *args, user: User, kind: str = "people", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].initial = user.country or team.current().country
        self.fields["tags"].queryset = access.tags(user)
        if access.sees_everything(user):
            self.fields["owner"].queryset = access.assignable_users(user)
            self.fields["owner"].initial = user.pk
        else:
            del self.fields["owner"]
        if kind == "companies":
            self.fields["file"].help_text = _("The first row must name the columns: name, tax id, country...")
            if "owner" in self.fields:
                self.fields["owner"].label = _("Owner of new companies")
            del self.fields["stage"], self.fields["tags"], self.fields["consent"]
            self.fields["country"].help_text = _(
                "Tax ids and phones are read in this country when a row names none."
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


class MappingForm(forms.Form):
    """Which field each column of the file goes to."""

    def __init__(
        self, *args, headers: list[str], mapping: list[str], choices, required, required_message, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.required, self.required_message = required, required_message
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=mapping[index] if index < len(mapping) else "",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [cleaned.get(f"col_{i}", "") for i in range(len(self.headers))]
        taken = [name for name in chosen if name]
        if len(taken) != len(set(taken)):
            raise ValidationError(_("Each field can come from one column only."))
        if not set(self.required) & set(taken):
            raise ValidationError(self.required_message)
        cleaned["mapping"] = chosen
        return cleaned

    def rows(self):
        """(header, bound field) pairs for the template."""
        return [(header, self[f"col_{i}"]) for i, header in enumerate(self.headers)]


class SavedListForm(forms.Form):
    """A name for the People filters in `query` (the list's query string)."""

    name = forms.CharField(max_length=80)
    query = forms.CharField(max_length=2000, required=False, strip=True)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class ConsentForm(forms.Form):
    """A lawful basis to contact a person, given or withdrawn, recorded by a user."""

    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Consent.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one channel.")},
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    given = forms.ChoiceField(
        label=_("State"), choices=[("given", _("Given")), ("withdrawn", _("Withdrawn"))], initial="given"
    )
    basis = forms.ChoiceField(label=_("Lawful basis"), choices=Consent.Basis.choices, initial="consent")
    note = forms.CharField(
        label=_("How (a note)"),
        max_length=500,
        required=False,
        help_text=_("Where and how: by phone on 3 March, the signed contract…"),
    )
