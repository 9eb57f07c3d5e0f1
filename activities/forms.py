"""Forms of activities: logging one, rescheduling and reassigning reminders, the
email and WhatsApp channels, categories."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import MAX_DURATION, MIN_DURATION, Activity, Category, Mailbox
from crm import access, attachments, bounds
from crm.countries import format_phone
from crm.forms import DateTimeInput
from crm.models import User
from crm.widgets import Autocomplete


class ActivityForm(forms.Form):
    """Log an activity (done, or planned as a reminder) on a person or a
    company, with an optional follow-up reminder in the same step."""

    # Chosen on the form when it is about no record yet (a new activity from the follow-up).
    person = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=None,
        required=False,
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
    )
    company = forms.ModelChoiceField(
        label=_("Client"),
        queryset=None,
        required=False,
        widget=Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
    )
    campaign = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    opportunity = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    service_order = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices, initial=Activity.Kind.CALL)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    detail = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Detail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    done = forms.BooleanField(label=_("Already done"), required=False, initial=True)
    due_at = bounds.DateTimeField(
        label=_("Planned for"), required=False, widget=DateTimeInput, help_text=_("For a planned activity.")
    )
    follow_up_at = bounds.DateTimeField(
        label=_("Follow-up reminder"),
        required=False,
        widget=DateTimeInput,
        help_text=_("Optional: plan the next step now."),
    )
    follow_up_subject = forms.CharField(label=_("Follow-up subject"), max_length=200, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["person"].queryset = access.workable_people(user)
        self.fields["company"].queryset = access.companies(user)
        self.fields["campaign"].queryset = access.campaigns(user)
        self.fields["opportunity"].queryset = access.opportunities(user)
        self.fields["service_order"].queryset = access.service_orders(user)
        self.fields["category"].queryset = access.categories(user)
        self.fields["subject"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})
        # Typing @ suggests who may see the record chosen (static/js/mentions.js).
        self.fields["detail"].widget.attrs["data-mentions"] = reverse("activities:mention_suggestions")

    def clean_subject(self) -> str:
        return " ".join(self.cleaned_data["subject"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("person") and not cleaned.get("company") and not self.errors.get("person"):
            raise forms.ValidationError(_("Choose the person or company this activity is about."))
        if not cleaned.get("done") and not cleaned.get("due_at") and "due_at" not in self.errors:
            self.add_error("due_at", _("A planned activity needs a date and time."))
        follow_up_at = cleaned.get("follow_up_at")
        if follow_up_at and follow_up_at < timezone.now():
            self.add_error("follow_up_at", _("A follow-up reminder must be in the future."))
        return cleaned

    def log(self, by: User):
        """Record the activity (and its follow-up): (activity, follow_up or None)."""
        from activities import services

        data = self.cleaned_data
        return services.activity_log(
            by=by,
            kind=data["kind"],
            subject=data["subject"],
            detail=data["detail"],
            category=data["category"],
            person=data["person"],
            company=data["company"],
            campaign=data["campaign"],
            opportunity=data["opportunity"],
            service_order=data["service_order"],
            done=data["done"],
            due_at=data["due_at"],
            follow_up_at=data["follow_up_at"],
            follow_up_subject=data["follow_up_subject"],
            mention=True,
        )


class RescheduleForm(forms.Form):
    due_at = bounds.DateTimeField(label=_("New date and time"), widget=DateTimeInput)


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = access.assignable_users(user)


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class EmailForm(forms.Form):
    """The composer: who else, what, and the files that go with it (uploaded now, or the
    record's own attachments)."""

    cc = forms.CharField(
        label=_("Cc"),
        required=False,
        max_length=1000,
        help_text=_("Other addresses, separated by commas."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX, label=_("Message"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, record_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"] = MultipleFileField(
            label=_("Attach files"),
            required=False,
            widget=MultipleFiles(attrs={"accept": attachments.ACCEPT}),
        )
        if record_files:
            self.fields["record_files"] = forms.TypedMultipleChoiceField(
                label=_("Attach files of the record"),
                choices=[(a.pk, f"{a.name} ({filesizeformat(a.size)})") for a in record_files],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean_files(self):
        uploads = self.cleaned_data.get("files") or []
        if not uploads:
            return []
        if len(uploads) > 10:
            raise forms.ValidationError(_("At most 10 files."))
        return attachments.check(uploads)

    def clean_cc(self) -> list[str]:
        addresses = [a.strip() for a in re.split(r"[,;\s]+", self.cleaned_data["cc"]) if a.strip()]
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                wrong.append(address)
        if wrong:
            raise forms.ValidationError(_("Not an email address: %(wrong)s") % {"wrong": ", ".join(wrong)})
        if len(addresses) > 20:
            raise forms.ValidationError(_("At most 20 addresses."))
        return list(dict.fromkeys(address.lower() for address in addresses))


def placeholders_help() -> str:
    from activities.placeholders import PLACEHOLDERS

    return "; ".join(f"{{{name}}}: {label}" for name, label in PLACEHOLDERS.items())


class EmailTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10}))
    team = forms.BooleanField(label=_("A team template (every user may use it)"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholders_help()
        if not access.is_admin(user):
            del self.fields["team"]


def _offer_numbers(field: forms.ChoiceField, person) -> None:
    """The person's numbers to choose from, the mobile first (WhatsApp lives there)."""
    numbers = dict.fromkeys(n for n in (person.mobile, person.phone) if n)
    field.choices = [(n, format_phone(n)) for n in numbers]
    if numbers:
        field.initial = next(iter(numbers))


class WhatsAppForm(forms.Form):
    number = forms.ChoiceField(label=_("Number"), widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    remember = forms.BooleanField(label=_("Keep this message as my template"), required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_numbers(self.fields["number"], person)


class WhatsAppSendForm(forms.Form):
    """A message through WhatsApp Business (the Cloud API): a text, or an approved template."""

    number = forms.ChoiceField(label=_("Number"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Message"), required=False, max_length=4096, widget=forms.Textarea(attrs={"rows": 5})
    )
    template = forms.RegexField(
        label=_("Approved template"),
        required=False,
        max_length=100,
        regex=r"^[a-z0-9_]+$",
        error_messages={"invalid": _("A template's name has lowercase letters, digits and _ only.")},
        help_text=_(
            "Outside the 24 hours after the person last wrote, WhatsApp only lets a template through."
        ),
    )
    language = forms.ChoiceField(
        label=_("Template language"),
        choices=[("es", "Español"), ("pt_BR", "Português (BR)"), ("en_US", "English")],
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_numbers(self.fields["number"], person)

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and not data.get("template"):
            self.add_error("text", _("Write a message or choose an approved template."))
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name"]

    def clean_name(self) -> str:
        from activities.services import clean_category_name

        try:
            return clean_category_name(self.cleaned_data["name"], exclude_pk=self.instance.pk)
        except ValidationError as error:
            raise ValidationError(error.message_dict["name"]) from None


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("An app password of the mailbox. Kept encrypted and never shown again."),
    )

    class Meta:
        model = Mailbox
        fields = ["address", "host", "port", "use_ssl", "username", "folder", "active"]
        formfield_callback = bounds.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["password"].help_text = _("Leave it empty to keep the saved one.")
        self.fields["port"].max_value = 65535
        self.fields["port"].widget.attrs["max"] = 65535


class FileForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = access.workable_people(user)
        self.fields["person"].widget = Autocomplete(url_name="people:autocomplete")


class ProspectForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)


class AgendaActivityForm(forms.Form):
    """Plan an activity from an empty slot of the calendar: who with, what, when."""

    person = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=None,
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
        error_messages={"required": _("Choose the person this activity is with.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices, initial=Activity.Kind.VISIT)
    subject = forms.CharField(label=_("Title"), max_length=200)
    due_at = bounds.DateTimeField(label=_("When"), widget=DateTimeInput)
    duration = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=MIN_DURATION, max_value=MAX_DURATION, initial=30
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["person"].queryset = access.workable_people(user)

    def clean_subject(self) -> str:
        return " ".join(self.cleaned_data["subject"].split())

    def plan(self, by: User):
        from activities import services

        data = self.cleaned_data
        activity, _follow_up = services.activity_log(
            by=by,
            kind=data["kind"],
            subject=data["subject"],
            person=data["person"],
            done=False,
            due_at=data["due_at"],
            duration=data["duration"],
            mention=True,
        )
        return activity
