from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignMember
from crm import access, bounds
from crm.models import User
from crm.widgets import date_widget, select_widget
from people.filters import search_people


class CampaignFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Campaign.Status.choices,
        empty_label=_("All"),
        method="filter_status",
        widget=select_widget(),
    )
    product = django_filters.CharFilter(label=_("Product or service"), method="filter_product")
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=None, empty_label=_("All owners"), widget=select_widget()
    )
    active_from = bounds.DateFilter(
        label=_("Active from"), field_name="ends_on", lookup_expr="gte", widget=date_widget()
    )
    active_to = bounds.DateFilter(
        label=_("Active until"), field_name="starts_on", lookup_expr="lte", widget=date_widget()
    )

    class Meta:
        model = Campaign
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["owner"].queryset = access.assignable_users(user)

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)

    def filter_product(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(product_name__icontains=value) | Q(name__icontains=value))
            if value
            else queryset
        )


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CampaignMember.Status.choices, empty_label=_("All"), widget=select_widget()
    )
    agent = django_filters.ModelChoiceFilter(
        label=_("Agent"), queryset=None, empty_label=_("All agents"), widget=select_widget()
    )

    class Meta:
        model = CampaignMember
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        if access.sees_everything(user):
            self.filters["agent"].queryset = User.objects.filter(is_active=True)
        else:
            del self.filters["agent"]

    def filter_q(self, queryset, name, value):
        from people.models import Person

        people = search_people(Person.objects.filter(discarded_at=None), value)
        return queryset.filter(person__in=people) if value.strip() else queryset

    @property
    def qs(self):
        return super().qs.order_by("-created_at", "-id")
