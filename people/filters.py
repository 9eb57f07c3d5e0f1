from __future__ import annotations

import re

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from crm import access, bounds, custom_fields
from crm.countries import COUNTRIES, fold, normalize_phone
from crm.fields import key_number
from crm.models import User
from crm.widgets import Autocomplete, select_widget
from people.models import Person

_PHONE_LIKE = re.compile(r"^[\d\s()+.\-]{6,}$")
_WORD = re.compile(r"[a-z0-9@._-]+")


def text_query(term: str) -> SearchQuery | None:
    """Every word of ``term`` as a prefix, accent-insensitive, for the
    ``search`` columns (see people.models.search_document)."""
    words = _WORD.findall(fold(term))
    words = [w.strip("._-") for w in words]
    words = [w for w in words if w]
    if not words:
        return None
    raw = " & ".join(f"'{w}':*" for w in words[:8])
    return SearchQuery(raw, search_type="raw", config="simple")


def phone_candidates(term: str) -> set[str]:
    """The E.164 numbers a phone typed in any format may be (stored phones are
    E.164): as written with its prefix, or a national number read in each of
    the teams' countries. Empty when ``term`` does not look like a phone."""
    if not _PHONE_LIKE.match(term.strip()):
        return set()
    candidates = {"+" + re.sub(r"\D", "", term)}
    for country, _name in COUNTRIES:
        try:
            candidates.add(normalize_phone(term, country))
        except ValidationError:
            continue
    return candidates


def search_condition(term: str) -> Q | None:
    """Name, email or city words (prefixes), or a phone number in any format."""
    term = term.strip()
    if not term:
        return None
    number = key_number(term, "C")
    if number is not None:  # a contact's key, C-000123
        return Q(number=number)
    candidates = phone_candidates(term)
    if candidates:
        return Q(phone__in=candidates) | Q(mobile__in=candidates)
    query = text_query(term)
    return Q(search=query) if query is not None else None


def search_people(queryset: QuerySet[Person], term: str) -> QuerySet[Person]:
    condition = search_condition(term)
    return queryset.filter(condition) if condition is not None else queryset


class PersonFilter(django_filters.FilterSet):
    SORTS = {
        "-created": ("-created_at", "-id"),
        "created": ("created_at", "id"),
        "name": ("last_name", "first_name", "id"),
        "-updated": ("-updated_at", "-id"),
    }

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Person.Stage.choices, empty_label=_("All stages"), widget=select_widget()
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=None, empty_label=_("All tags"), widget=select_widget()
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=None, empty_label=_("All owners"), widget=select_widget()
    )
    # One membership per person and company: filtering on it repeats no row.
    company = django_filters.ModelChoiceFilter(
        label=_("Company"),
        field_name="memberships__company",
        queryset=None,
        widget=Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
    )
    source = django_filters.ChoiceFilter(
        label=_("How did you find us"),
        choices=Person.Source.choices,
        empty_label=_("All sources"),
        widget=select_widget(),
    )
    created_from = bounds.DateFilter(
        label=_("Created from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    created_to = bounds.DateFilter(
        label=_("Created until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_sort",
        empty_label=None,
        choices=[
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("name", _("Last name")),
            ("-updated", _("Recently updated")),
        ],
        widget=select_widget(),
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["tag"].queryset = access.tags(user)
        self.filters["company"].queryset = access.companies(user)
        if access.sees_everything(user):
            self.filters["owner"].queryset = User.objects.filter(role__in=["agent", "manager", "admin"])
        else:
            del self.filters["owner"]
        custom_fields.add_filters(self, "people")

    @property
    def qs(self):
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else ""
        return queryset.order_by(*self.SORTS.get(sort or "-created", self.SORTS["-created"]))

    def filter_q(self, queryset, name, value):
        return queryset if getattr(self, "_search_apart", False) else search_people(queryset, value)

    def search_apart(self) -> tuple[QuerySet, Q | None]:
        """The list with every filter but its text search, and the search as a condition
        (KeysetPaginator's narrow). Call before anything reads ``qs``."""
        assert not hasattr(self, "_qs"), "search_apart() must come before qs"
        self._search_apart = True
        term = self.form.cleaned_data.get("q") if self.is_valid() else ""
        return self.qs, search_condition(term or "")

    def filter_sort(self, queryset, name, value):
        return queryset  # applied in qs, after every filter


# Saved lists in words ---------------------------------------------------------------------

DESCRIBED = ("q", "stage", "tag", "owner", "company", "source", "created_from", "created_to")


def describe_queries(queries: list[str], user) -> list[list[tuple[str, str]]]:
    """Each People filter query string as the list shows it ("Tag: Feria Lima 2026",
    "Stage: Client"), in the filters' order; the tags, owners and companies named by all
    of them are read at once (three queries at most, however many lists)."""
    parsed = [QueryDict(query) for query in queries]
    wanted: dict[str, set[int]] = {"tag": set(), "owner": set(), "company": set()}
    for params in parsed:
        for name, ids in wanted.items():
            value = bounds.record_id(params.get(name))
            if value:
                ids.add(value)
    names = {
        "tag": dict(access.tags(user).filter(pk__in=wanted["tag"]).values_list("pk", "name"))
        if wanted["tag"]
        else {},
        "owner": {u.pk: str(u) for u in User.objects.filter(pk__in=wanted["owner"])}
        if wanted["owner"]
        else {},
        "company": dict(access.companies(user).filter(pk__in=wanted["company"]).values_list("pk", "name"))
        if wanted["company"]
        else {},
    }
    filters = PersonFilter.base_filters
    described = []
    for params in parsed:
        parts = []
        for name in DESCRIBED:
            value = params.get(name, "").strip()
            if not value:
                continue
            if name in names:
                shown = names[name].get(bounds.record_id(value))
            elif name in ("stage", "source"):
                shown = dict(filters[name].extra["choices"]).get(value)
            elif name in ("created_from", "created_to"):
                day = parse_date(value) if len(value) == 10 else None
                shown = formats.date_format(day, "SHORT_DATE_FORMAT") if day else None
            else:
                shown = f"“{value}”"
            if shown:
                parts.append((str(filters[name].label), str(shown)))
        described.append(parts)
    return described
