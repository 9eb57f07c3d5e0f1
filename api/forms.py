"""Forms of the API's pages: personal tokens and webhooks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from api.models import Webhook
from crm import outbound


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What it is for: the website form, the ERP..."),
    )


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["url", "events", "active"]
        help_texts = {
            "url": gettext_lazy("It receives a POST with JSON for each event, signed with the secret.")
        }

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        outbound.check(url)  # a public http(s) address, or a message next to the field
        return url
