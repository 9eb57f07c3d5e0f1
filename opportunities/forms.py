from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from crm import access, bounds
from crm.countries import COUNTRIES, viewer_country
from crm.custom_fields import CustomFieldsFormMixin
from crm.models import User
from crm.versioning import VersionedFormMixin
from crm.widgets import Autocomplete
from opportunities.models import BaseCard, Opportunity, Pipeline, Product, Quote, Stage
from opportunities.services import OPPORTUNITY_FIELDS
from people.forms import clean_spaces
from people.models import Person


class OpportunityForm(CustomFieldsFormMixin, VersionedFormMixin, forms.ModelForm):
    custom_model = "opportunities"
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)

    class Meta:
        formfield_callback = bounds.formfield
        model = Opportunity
        fields = [*OPPORTUNITY_FIELDS, "tags", "members"]
        widgets = {
            "company": Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
            # The chosen company's people; a contact of one company fills an empty company.
            "contact": Autocomplete(
                "people:autocomplete", placeholder=_("Type a name, email or phone"), scope="company"
            ),
            "observations": forms.Textarea(attrs={"rows": 3}),
            "expected_close_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "tags": forms.CheckboxSelectMultiple,
            "members": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "members": _(
                "Who follows the card besides its agent: they see it on the board and get its reminders."
            )
        }

    def __init__(self, *args, user: User, pipeline: Pipeline | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.pipeline = pipeline or self.instance.pipeline
        self.fields["company"].queryset = access.companies(user)
        self.fields["contact"].queryset = access.people(user)
        self.fields["tags"].queryset = access.tags(user)
        self.fields["members"].queryset = access.card_followers(self.pipeline)
        self.setup_custom_fields()
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
        return {
            **{name: self.cleaned_data[name] for name in OPPORTUNITY_FIELDS},
            "custom": self.custom_values(),
        }

    def save_for(self, by: User, *, base_card: bool) -> Opportunity:
        """Create the card on the form's board, or update the form's card, through the
        services (for the pages and the API). ``base_card``: see
        ``services.opportunity_create`` (the new-card page has shown it already)."""
        from opportunities import services

        common = {
            "by": by,
            "tags": self.cleaned_data["tags"],
            "members": self.cleaned_data["members"],
            **self.opportunity_fields(),
        }
        if self.instance.pk:
            return services.opportunity_update(opportunity=self.instance, version=self.version, **common)
        return services.opportunity_create(
            pipeline=self.pipeline, stage=self.cleaned_data.get("stage"), base_card=base_card, **common
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Opportunity.Status.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_contact_on = bounds.DateField(
        label=_("Next contact"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50, required=False)
    lost_reason = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Why lost?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    improvement = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("What can we improve?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pending_reminders = forms.ChoiceField(
        label=_("Its pending reminders"),
        choices=[("keep", _("Keep them")), ("close", _("Mark them done"))],
        required=False,
        initial="keep",
        widget=forms.RadioSelect,
    )

    def clean_pending_reminders(self) -> str:
        return self.cleaned_data["pending_reminders"] or "keep"


class QuickCardForm(forms.Form):
    """A card added at the top of a board's column: its title and its prospect."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Title"), max_length=200)
    contact = forms.ModelChoiceField(
        label=_("Prospect"),
        queryset=None,
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
    )

    def __init__(self, *args, user: User, pipeline: Pipeline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = pipeline.stages.all()
        self.fields["contact"].queryset = access.people(user)

    def clean_subject(self) -> str:
        return " ".join(self.cleaned_data["subject"].split())


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none())
    position = forms.IntegerField(min_value=0, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Only stages of boards the user sees; another board's stage is refused later.
        self.fields["stage"].queryset = Stage.objects.filter(pipeline__in=access.pipelines(user))


class CommentForm(forms.Form):
    comment = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "color", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(is_active=True)


class BaseCardForm(forms.ModelForm):
    """A board's base card (seed 002 "Cartões Base"), for its administrators."""

    class Meta:
        formfield_callback = bounds.formfield
        model = BaseCard
        fields = ["description", "tags", "members"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.CheckboxSelectMultiple,
            "members": forms.CheckboxSelectMultiple,
        }
        help_texts = {"description": _("Every new card of this board starts with these.")}

    def __init__(self, *args, user: User, pipeline: Pipeline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = access.tags(user)
        self.fields["members"].queryset = access.card_followers(pipeline)


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name", "color", "stagnant_days", "probability"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["probability"].required = False


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)


class ProductForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Product
        fields = ["code", "name", "description", "unit_price", "currency", "active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "unit_price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].validators.append(MinValueValidator(Decimal(0)))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class LineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=0, max_digits=14, decimal_places=2, required=False,
        help_text=_("Empty: the catalog price."),
    )  # fmt: skip
    discount = forms.DecimalField(
        label=_("Discount %"), min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=0
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = access.products(user).filter(active=True)


class QuoteForm(forms.Form):
    tax_rate = forms.DecimalField(
        label=_("Tax %"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365)
    notes = forms.CharField(
        max_length=bounds.LONG_TEXT_MAX,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConvertForm(forms.Form):
    """Seed 001 "Cerrar prospecto": one step from prospect to interested or
    client, with a company and, if wanted, an opportunity."""

    stage = forms.ChoiceField(
        label=_("The person becomes"),
        choices=[(Person.Stage.INTERESTED, _("Interested")), (Person.Stage.CLIENT, _("Client"))],
        widget=forms.RadioSelect,
        initial=Person.Stage.INTERESTED,
    )
    company = forms.ModelChoiceField(
        label=_("Company in the CRM"),
        queryset=Company.objects.none(),
        required=False,
        widget=Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
    )
    new_company_name = forms.CharField(label=_("…or a new company"), max_length=200, required=False)
    new_company_country = forms.ChoiceField(
        label=_("Its country"), choices=COUNTRIES, initial=viewer_country, required=False
    )
    new_company_tax_id = forms.CharField(label=_("Its tax id"), max_length=32, required=False)
    area = forms.CharField(label=_("Area"), max_length=100, required=False)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    pipeline = forms.ModelChoiceField(
        label=_("Open an opportunity on the board"), queryset=Pipeline.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Opportunity subject"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = access.companies(user)
        self.fields["pipeline"].queryset = access.pipelines(user)

    def clean(self) -> dict:
        from companies.services import check_tax_id_free
        from crm.taxids import normalize_tax_id

        cleaned = super().clean()
        if cleaned.get("company") and cleaned.get("new_company_name"):
            raise forms.ValidationError(_("Choose a company in the CRM or name a new one, not both."))
        if cleaned.get("new_company_name"):
            country = cleaned.get("new_company_country") or viewer_country()
            try:
                cleaned["new_company_tax_id"] = normalize_tax_id(
                    cleaned.get("new_company_tax_id", ""), country
                )
                check_tax_id_free(country=country, tax_id=cleaned["new_company_tax_id"])
            except forms.ValidationError as error:
                self.add_error(
                    "new_company_tax_id", error.messages[0] if hasattr(error, "messages") else error
                )
        return cleaned


class QuoteStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = Quote.Status.choices


class DeleteCardForm(forms.Form):
    contact = forms.ChoiceField(
        label=gettext_lazy("The linked prospect"),
        choices=[
            ("keep", gettext_lazy("Keep the prospect in People")),
            (
                "discard",
                gettext_lazy(
                    "Discard the prospect as well (to Discarded, where an administrator can restore it)"
                ),
            ),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=gettext_lazy("Why (optional)"), max_length=200, required=False)
