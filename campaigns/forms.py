from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignMember, LeadForm
from campaigns.services import CAMPAIGN_FIELDS
from crm import access, bounds
from crm.forms import OwnerFieldMixin
from crm.models import User
from crm.versioning import VersionedFormMixin
from crm.widgets import Autocomplete, FillingSelect
from people.forms import clean_spaces
from people.models import Person, Tag


class CampaignForm(VersionedFormMixin, OwnerFieldMixin, forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Campaign
        fields = list(CAMPAIGN_FIELDS)
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            # A catalog product fills the promoted name, its price and currency.
            "product": FillingSelect(
                lambda product: {
                    "product_name": (product.name, product.name),
                    "price": (product.unit_price, product.unit_price),
                    "currency": (product.currency, product.currency),
                }
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_owner(user)
        self.fields["product"].queryset = access.products(user).filter(active=True)
        self.fields["product_name"].required = False
        self.fields["product_name"].help_text = _("Empty: the catalog product's name.")

    def clean_name(self) -> str:
        return clean_spaces(self.cleaned_data["name"])

    def clean_product_name(self) -> str:
        return clean_spaces(self.cleaned_data["product_name"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("product_name"):
            if cleaned.get("product"):
                cleaned["product_name"] = cleaned["product"].name
            elif "product_name" not in self.errors:
                self.add_error("product_name", _("Choose a catalog product or name what you promote."))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned

    def campaign_fields(self) -> dict:
        return self.owned_fields()


class MemberAddForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = access.people(user)


class TagMembersForm(forms.Form):
    tag = forms.ModelChoiceField(label=_("Everyone with the tag"), queryset=Tag.objects.none())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = access.tags(user)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CampaignMember.Status.choices)


class AssignForm(forms.Form):
    members = forms.ModelMultipleChoiceField(queryset=CampaignMember.objects.none())
    agent = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, user: User, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = access.campaign_members(user).filter(campaign=campaign)
        self.fields["agent"].queryset = access.assignable_users(user)


class ChooseCampaignForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = access.changeable(user, access.campaigns(user)).order_by(
            "-created_at", "-id"
        )


class LeadFormSettings(forms.ModelForm):
    fields_shown = forms.MultipleChoiceField(
        label=gettext_lazy("Fields to show besides name and email"),
        choices=LeadForm.OPTIONAL_FIELDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = LeadForm
        fields = [
            "name",
            "default_owner",
            "owners",
            "tags",
            "campaign",
            "thank_you",
            "consent_text",
            "consent_marketing",
            "active",
        ]
        widgets = {"owners": forms.CheckboxSelectMultiple, "tags": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True)
        self.fields["default_owner"].queryset = users
        self.fields["owners"].queryset = users
        self.fields["tags"].queryset = access.tags(user)
        self.fields["campaign"].queryset = access.campaigns(user)
        self.fields["fields_shown"].initial = (
            self.instance.fields if self.instance.pk else ["phone", "message"]
        )

    def save(self, commit=True):
        self.instance.fields = self.cleaned_data["fields_shown"]
        return super().save(commit)


class MailingForm(forms.Form):
    """A campaign email: what everyone gets (placeholders filled for each) and, when written
    from People, the campaign it belongs to."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Each message ends with a link to unsubscribe."),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)

    def __init__(self, *args, user, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaign is not None:
            del self.fields["campaign"]
        else:
            self.fields["campaign"].queryset = access.campaigns(user).order_by("-created_at", "-id")
