from __future__ import annotations

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from crm import access, bounds
from crm.countries import fold
from crm.models import User
from crm.widgets import Autocomplete, date_widget, select_widget
from serviceorders.models import ServiceOrder


def concept_query(text: str) -> SearchQuery | None:
    """A word or phrase ("quoted") in Spanish or Portuguese, with or without
    accents: folded and as written, like the orders' documents."""
    written = text.strip().lower()[:200]
    if not written:
        return None
    query = None
    for variant in dict.fromkeys([fold(written), written]):
        for config in ("spanish", "portuguese"):
            part = SearchQuery(variant, config=config, search_type="websearch")
            query = part if query is None else query | part
    return query


# Ranking reads every matching order's document: a common word matches a tenth of
# the orders. Only the most recent matches are ranked, so a search costs the same
# whatever the number of orders.
RANKED = 500


def concept_search(queryset, text: str):
    """The most recent orders whose detail or services contain the words (at most
    RANKED), best matches first."""
    query = concept_query(text)
    if query is None:
        return queryset
    newest = queryset.filter(search=query).order_by("-number").values("pk")[:RANKED]
    return (
        queryset.filter(pk__in=newest)
        .annotate(rank=SearchRank(F("search"), query))
        .order_by("-rank", "-number")
    )


class OrderFilter(django_filters.FilterSet):
    STATUSES = [("open", _("Pending or reopened")), *ServiceOrder.Status.choices]

    q = django_filters.CharFilter(label=_("Concept"), method="filter_concept")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUSES,
        empty_label=_("All"),
        method="filter_status",
        widget=select_widget(small=True),
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"),
        choices=ServiceOrder.Priority.choices,
        empty_label=_("All"),
        widget=select_widget(small=True),
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), queryset=None, empty_label=_("Everyone"), widget=select_widget(small=True)
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Client"),
        queryset=None,
        widget=Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
    )
    contact = django_filters.ModelChoiceFilter(
        label=_("Contact"),
        queryset=None,
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"), queryset=None, empty_label=_("All projects"), widget=select_widget(small=True)
    )
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
    finished_from = bounds.DateFilter(
        label=_("Finished from"),
        field_name="finished_at",
        lookup_expr="date__gte",
        widget=date_widget(small=True),
    )
    finished_to = bounds.DateFilter(
        label=_("Finished until"),
        field_name="finished_at",
        lookup_expr="date__lte",
        widget=date_widget(small=True),
    )

    class Meta:
        model = ServiceOrder
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["assignee"].queryset = access.assignable_users(user)
        self.filters["company"].queryset = access.companies(user)
        self.filters["contact"].queryset = access.people(user)
        self.filters["project"].queryset = access.projects(user)

    @property
    def qs(self):
        queryset = super().qs
        if not (self.form.is_valid() and self.form.cleaned_data.get("q")):
            queryset = queryset.order_by("-number")
        return queryset

    def filter_concept(self, queryset, name, value):
        return queryset  # applied last, over the other filters (filter_queryset)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        text = self.form.cleaned_data.get("q")
        return concept_search(queryset, text) if text else queryset

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=[ServiceOrder.Status.PENDING, ServiceOrder.Status.REOPENED])
        return queryset.filter(status=value)
