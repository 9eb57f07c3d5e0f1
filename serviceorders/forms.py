from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm import access, bounds
from crm.forms import DateTimeInput
from crm.models import User
from crm.versioning import VersionedFormMixin
from crm.widgets import Autocomplete, FillingSelect
from people.forms import clean_spaces
from serviceorders.models import Project, ServiceOrder
from serviceorders.services import ORDER_FIELDS, PROJECT_FIELDS


class ProjectForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {
            "company": Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
            "contact": Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goal_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = access.companies(user)
        self.fields["contact"].queryset = access.people(user)
        self.fields["owner"].queryset = access.assignable_users(user)
        self.fields["owner"].initial = user.pk

    def clean_name(self) -> str:
        return clean_spaces(self.cleaned_data["name"])

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, goal = cleaned.get("starts_on"), cleaned.get("goal_on")
        if starts and goal and goal < starts:
            self.add_error("goal_on", _("The goal date cannot be before the start."))
        return cleaned

    def validate_constraints(self) -> None:
        pass  # checked in clean(), next to the field


class OrderForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = ServiceOrder
        fields = list(ORDER_FIELDS)
        widgets = {
            "company": Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
            "contact": Autocomplete(
                "people:autocomplete", placeholder=_("Type a name, email or phone"), scope="company"
            ),
            # A project decides its client and, when it has one, the contact.
            "project": FillingSelect(
                lambda project: {
                    "company": (project.company_id, project.company),
                    **({"contact": (project.contact_id, project.contact)} if project.contact_id else {}),
                }
            ),
            "appointment_at": DateTimeInput,
            "detail": forms.Textarea(attrs={"rows": 4}),
            "equipment_received": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = access.companies(user)
        self.fields["contact"].queryset = access.people(user)
        self.fields["project"].queryset = access.projects(user).select_related("company", "contact")
        self.fields["assignee"].queryset = access.assignable_users(user)
        self.fields["assignee"].initial = user.pk
        self.fields["category"].queryset = access.categories(user)

    def clean_detail(self) -> str:
        return self.cleaned_data["detail"].strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        company, contact, project = cleaned.get("company"), cleaned.get("contact"), cleaned.get("project")
        if company and contact and not contact.memberships.filter(company=company).exists():
            self.add_error("contact", _("The contact must be a person of that company."))
        if company and project and project.company_id != company.pk:
            self.add_error("project", _("The project belongs to another client."))
        return cleaned

    def service_order_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ORDER_FIELDS}


class EntryForm(forms.Form):
    detail = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX, label=_("Work done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    finished = forms.BooleanField(label=_("Service finished"), required=False)


class VerifyForm(forms.Form):
    comments = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Customer comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    closed = forms.BooleanField(label=_("Service finished: close the order"), required=False, initial=True)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
    )


class ReopenForm(forms.Form):
    comments = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Customer comments"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
