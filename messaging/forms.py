from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm import access, bounds
from crm.widgets import Autocomplete
from messaging.models import Mailbox
from people.models import Person


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
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = access.workable_people(user)
        self.fields["person"].widget = Autocomplete(url_name="people:autocomplete")


class ProspectForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
