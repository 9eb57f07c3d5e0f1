from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.models import User
from crm.widgets import Autocomplete
from opportunities.models import Opportunity, Pipeline, Stage
from opportunities.services import OPPORTUNITY_FIELDS
from people.forms import clean_spaces


class OpportunityForm(forms.ModelForm):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)

    class Meta:
        model = Opportunity
        fields = [*OPPORTUNITY_FIELDS, "tags"]
        widgets = {
            "company": Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
            "contact": Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
            "observations": forms.Textarea(attrs={"rows": 3}),
            "expected_close_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "tags": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user: User, pipeline: Pipeline | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["company"].queryset = access.companies(user)
        self.fields["contact"].queryset = access.people(user)
        self.fields["tags"].queryset = access.tags(user)
        self.fields["agent"].queryset = access.assignable_users(user)
        self.fields["agent"].initial = user.pk
        if pipeline is not None and not self.instance.pk:
            self.fields["stage"].queryset = pipeline.stages.order_by("position", "id")
            self.fields["stage"].initial = self.fields["stage"].queryset.first()
        else:
            del self.fields["stage"]

    def clean_subject(self) -> str:
        return clean_spaces(self.cleaned_data["subject"])

    def clean(self) -> dict:
        cleaned = super().clean()
        company, contact = cleaned.get("company"), cleaned.get("contact")
        if not company and not contact:
            raise forms.ValidationError(_("Choose the company or the contact person."))
        if company and contact and not contact.memberships.filter(company=company).exists():
            self.add_error("contact", _("The contact must be a person of that company."))
        return cleaned

    def validate_unique(self) -> None:
        # One open card per person and board is the service's to refuse,
        # with a message next to the contact.
        pass

    def opportunity_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in OPPORTUNITY_FIELDS}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Opportunity.Status.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_contact_on = forms.DateField(
        label=_("Next contact"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50, required=False)
    lost_reason = forms.CharField(
        label=_("Why lost?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    improvement = forms.CharField(
        label=_("What can we improve?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none())
    position = forms.IntegerField(min_value=0, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Only stages of boards the user sees; another board's stage is refused later.
        self.fields["stage"].queryset = Stage.objects.filter(pipeline__in=access.pipelines(user))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "color", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(is_active=True)


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name", "color", "stagnant_days"]


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
