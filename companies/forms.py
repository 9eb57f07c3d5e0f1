from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from companies.services import COMPANY_FIELDS, check_tax_id_free
from crm import access, bounds
from crm.countries import normalize_phone
from crm.custom_fields import CustomFieldsFormMixin
from crm.forms import OwnerFieldMixin
from crm.models import User
from crm.taxids import normalize_tax_id
from crm.versioning import VersionedFormMixin
from crm.widgets import Autocomplete
from people.forms import clean_spaces
from people.models import Person


class CompanyForm(CustomFieldsFormMixin, VersionedFormMixin, OwnerFieldMixin, forms.ModelForm):
    custom_model = "companies"
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        formfield_callback = bounds.formfield
        model = Company
        fields = list(COMPANY_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {"tax_id": _("RUC (Peru), CNPJ (Brazil), RFC (Mexico), NIT (Colombia), RUT (Chile).")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_owner(user)
        self.setup_custom_fields()

    def clean_name(self) -> str:
        return clean_spaces(self.cleaned_data["name"])

    def clean(self) -> dict:
        cleaned = super().clean()
        country = cleaned.get("country", "")
        try:
            cleaned["tax_id"] = normalize_tax_id(cleaned.get("tax_id", ""), country)
            check_tax_id_free(country=country, tax_id=cleaned["tax_id"], exclude_pk=self.instance.pk)
        except ValidationError as error:
            self.add_error(None if hasattr(error, "error_dict") else "tax_id", error)
        try:
            cleaned["phone"] = normalize_phone(cleaned.get("phone", ""), country)
        except ValidationError as error:
            self.add_error("phone", error)
        return cleaned

    def company_fields(self) -> dict:
        return {**self.without_custom_fields(self.owned_fields()), "custom": self.custom_values()}


class MembershipForm(forms.Form):
    """A person's area and position in a company, from either side."""

    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        widget=Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
    )
    area = forms.CharField(label=_("Area"), max_length=100, required=False)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = access.people(user)
        self.fields["company"].queryset = access.companies(user)

    def clean_area(self) -> str:
        return clean_spaces(self.cleaned_data["area"])

    def clean_position(self) -> str:
        return clean_spaces(self.cleaned_data["position"])
