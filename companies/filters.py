from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from crm import access, custom_fields
from crm.countries import COUNTRIES
from crm.fields import key_number
from crm.models import User
from people.filters import phone_candidates, text_query


def search_condition(term: str) -> Q | None:
    """Words of the name, city or industry (prefixes), a tax id or a phone in
    any format."""
    term = term.strip()
    if not term:
        return None
    number = key_number(term, "E")
    if number is not None:  # a company's key, E-000045
        return Q(number=number)
    compact = re.sub(r"[^0-9A-Za-z]", "", term).upper()
    condition = Q(tax_id=compact) if len(compact) >= 6 and any(c.isdigit() for c in compact) else Q()
    phones = phone_candidates(term)
    if phones:
        condition |= Q(phone__in=phones)
    query = text_query(term)
    if query is not None:
        condition |= Q(search=query)
    return condition or None


def search_companies(queryset, term: str):
    condition = search_condition(term)
    return queryset.filter(condition) if condition is not None else queryset


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=COUNTRIES,
        empty_label=_("All countries"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    industry = django_filters.CharFilter(label=_("Industry"), lookup_expr="iexact")
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=None,
        empty_label=_("All owners"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Company
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        if access.sees_everything(user):
            self.filters["owner"].queryset = User.objects.all()
        else:
            del self.filters["owner"]
        custom_fields.add_filters(self, "companies")

    def filter_q(self, queryset, name, value):
        return search_companies(queryset, value)
