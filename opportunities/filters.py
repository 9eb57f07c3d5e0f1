from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from crm import access, bounds, custom_fields
from crm.models import User
from crm.widgets import date_widget, select_widget
from opportunities.models import Opportunity, Stage
from people.models import Tag

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
ONLY_OR_WITH = [("no", _("Hidden")), ("yes", _("Only these")), ("all", _("Shown too"))]


def stagnant_condition() -> Q:
    """Open, not archived, and unchanged for longer than its stage allows."""
    limit = ExpressionWrapper(
        Now() - F("stage__stagnant_days") * Value(datetime.timedelta(days=1)), output_field=DateTimeField()
    )
    return Q(stage__stagnant_days__gt=0, archived=False, updated_at__lt=limit) & ~Q(
        status__in=[Opportunity.Status.CLOSED, Opportunity.Status.LOST]
    )


def open_tasks() -> Exists:
    return Exists(Activity.objects.filter(opportunity=OuterRef("pk"), done_at=None))


class BoardFilter(django_filters.FilterSet):
    """The board filters of seed 002, all in the URL so a board can be shared."""

    PER_COLUMN = [("10", "10"), ("20", "20"), ("50", "50"), ("100", "100"), ("500", "500")]

    date_type = django_filters.ChoiceFilter(
        label=_("Date of"),
        choices=[("card", _("the card's creation")), ("person", _("the person's creation"))],
        empty_label=None,
        method="filter_nothing",
        widget=select_widget(small=True),
    )
    date_from = bounds.DateFilter(label=_("From"), method="filter_dates", widget=date_widget(small=True))
    date_to = bounds.DateFilter(label=_("Until"), method="filter_dates", widget=date_widget(small=True))
    order = django_filters.ChoiceFilter(
        label=_("Order"),
        choices=[("board", _("As arranged")), ("asc", _("Oldest first")), ("desc", _("Newest first"))],
        empty_label=None,
        method="filter_nothing",
        widget=select_widget(small=True),
    )
    per_column = django_filters.ChoiceFilter(
        label=_("Cards per column"),
        choices=PER_COLUMN,
        empty_label=None,
        method="filter_nothing",
        widget=select_widget(small=True),
    )
    tags = django_filters.ModelMultipleChoiceFilter(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 3}),
    )
    users = django_filters.ModelMultipleChoiceFilter(
        label=_("Created by"),
        field_name="created_by",
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 3}),
    )
    agents = django_filters.ModelMultipleChoiceFilter(
        label=_("Agents"),
        field_name="agent",
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 3}),
    )
    members = django_filters.ModelMultipleChoiceFilter(
        label=_("Members"),
        queryset=User.objects.none(),
        method="filter_members",
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 3}),
    )
    stagnant = django_filters.ChoiceFilter(
        label=_("Stagnant"),
        choices=YES_NO,
        empty_label=_("All"),
        method="filter_stagnant",
        widget=select_widget(small=True),
    )
    tasks = django_filters.ChoiceFilter(
        label=_("With tasks"),
        choices=YES_NO,
        empty_label=_("All"),
        method="filter_tasks",
        widget=select_widget(small=True),
    )
    archived = django_filters.ChoiceFilter(
        label=_("Archived"),
        choices=ONLY_OR_WITH,
        empty_label=None,
        method="filter_archived",
        widget=select_widget(small=True),
    )
    lost = django_filters.ChoiceFilter(
        label=_("Lost"),
        choices=ONLY_OR_WITH,
        empty_label=None,
        method="filter_lost",
        widget=select_widget(small=True),
    )
    serviced = django_filters.ChoiceFilter(
        label=_("Converted to client service"),
        choices=YES_NO,
        empty_label=_("All"),
        method="filter_serviced",
        widget=select_widget(small=True),
    )
    closed = django_filters.ChoiceFilter(
        label=_("Converted to client"),
        choices=ONLY_OR_WITH,
        empty_label=None,
        method="filter_closed",
        widget=select_widget(small=True),
    )

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            # Defaults: archived, closed and lost cards hidden (seed 002).
            for name, default in (("archived", "no"), ("lost", "no"), ("closed", "no"), ("per_column", "50")):
                data.setdefault(name, default)
        super().__init__(data, *args, **kwargs)
        self.filters["tags"].queryset = access.tags(user)
        people = access.assignable_users(user)
        self.filters["users"].queryset = people
        self.filters["agents"].queryset = people
        # An agent may look for the cards they follow; managers for anyone's.
        self.filters["members"].queryset = people

    @property
    def cards_per_column(self) -> int:
        value = self.form.cleaned_data.get("per_column") if self.form.is_valid() else None
        return int(value) if value else 50

    @property
    def card_order(self) -> str:
        return (self.form.cleaned_data.get("order") if self.form.is_valid() else "") or "board"

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by the board itself

    def filter_dates(self, queryset, name, value):
        field = "contact__created_at" if self.form.cleaned_data.get("date_type") == "person" else "created_at"
        lookup = "date__gte" if name == "date_from" else "date__lte"
        return queryset.filter(**{f"{field}__{lookup}": value})

    def filter_members(self, queryset, name, value):
        if not value:
            return queryset
        followed = Opportunity.members.through.objects.filter(user__in=value).values("opportunity_id")
        return queryset.filter(pk__in=followed)

    def filter_stagnant(self, queryset, name, value):
        return (
            queryset.filter(stagnant_condition())
            if value == "yes"
            else queryset.exclude(stagnant_condition())
        )

    def filter_tasks(self, queryset, name, value):
        return queryset.filter(open_tasks()) if value == "yes" else queryset.exclude(open_tasks())

    @staticmethod
    def _only_or_with(queryset, condition: Q, value: str):
        if value == "yes":
            return queryset.filter(condition)
        if value == "all":
            return queryset
        return queryset.exclude(condition)

    def filter_archived(self, queryset, name, value):
        return self._only_or_with(queryset, Q(archived=True), value)

    def filter_lost(self, queryset, name, value):
        return self._only_or_with(queryset, Q(status=Opportunity.Status.LOST), value)

    def filter_serviced(self, queryset, name, value):
        # The orders a card was converted into, through the relation (no import of their app).
        orders = Opportunity._meta.get_field("service_orders").related_model
        serviced = Exists(orders.objects.filter(opportunity=OuterRef("pk")))
        return queryset.filter(serviced) if value == "yes" else queryset.exclude(serviced)

    def filter_closed(self, queryset, name, value):
        return self._only_or_with(queryset, Q(status=Opportunity.Status.CLOSED), value)


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Opportunity.Status.choices,
        empty_label=_("All"),
        widget=select_widget(small=True),
    )
    pipeline = django_filters.ModelChoiceFilter(
        label=_("Board"), queryset=None, empty_label=_("All boards"), widget=select_widget(small=True)
    )
    stage = django_filters.ModelChoiceFilter(
        label=_("Stage"), queryset=None, empty_label=_("All stages"), widget=select_widget(small=True)
    )
    agent = django_filters.ModelChoiceFilter(
        label=_("Agent"), queryset=None, empty_label=_("All agents"), widget=select_widget(small=True)
    )
    company = django_filters.NumberFilter(label=_("Company"), field_name="company_id")
    created_from = bounds.DateFilter(
        label=_("Created from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=date_widget(small=True),
    )
    created_to = bounds.DateFilter(
        label=_("Created until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=date_widget(small=True),
    )
    close_from = bounds.DateFilter(
        label=_("Closing from"),
        field_name="expected_close_on",
        lookup_expr="gte",
        widget=date_widget(small=True),
    )
    close_to = bounds.DateFilter(
        label=_("Closing until"),
        field_name="expected_close_on",
        lookup_expr="lte",
        widget=date_widget(small=True),
    )
    decided_from = bounds.DateFilter(
        label=_("Won or lost from"),
        field_name="decided_at",
        lookup_expr="date__gte",
        widget=date_widget(small=True),
    )
    decided_to = bounds.DateFilter(
        label=_("Won or lost until"),
        field_name="decided_at",
        lookup_expr="date__lte",
        widget=date_widget(small=True),
    )
    archived = django_filters.ChoiceFilter(
        label=_("Archived"),
        choices=YES_NO,
        empty_label=_("All"),
        method="filter_archived",
        widget=select_widget(small=True),
    )
    amount_min = django_filters.NumberFilter(label=_("Amount from"), field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(label=_("Amount up to"), field_name="amount", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        boards = access.pipelines(user)
        self.filters["pipeline"].queryset = boards
        self.filters["stage"].queryset = Stage.objects.filter(pipeline__in=boards).select_related("pipeline")
        self.filters["agent"].queryset = access.assignable_users(user)
        custom_fields.add_filters(self, "opportunities")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(subject__icontains=value) | Q(company__name__icontains=value) | Q(invoice_number__iexact=value)
        )

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived=value == "yes")

    @property
    def qs(self):
        return super().qs.order_by("-created_at", "-id")
