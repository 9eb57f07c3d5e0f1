"""The global search: one box finds people, companies, opportunities, campaigns
and service orders at once (names, emails, phones in any format, tax ids, order
numbers), accent-insensitive, only what the user may see.

Every group is one indexed query (the ``search`` tsvector columns with their GIN
indexes, phones and tax ids by their b-tree indexes, orders by number), at most
``limit`` rows each: five queries, whatever the data size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies.filters import search_condition as companies_condition
from crm import access
from crm.countries import format_phone
from crm.pagination import first_matches
from people.filters import search_condition as people_condition
from people.filters import text_query

MIN_LENGTH = 2
MAX_LENGTH = 100


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    label: str
    icon: str
    more_url: str
    hits: list[Hit] = field(default_factory=list)


def _more(url_name: str, **params) -> str:
    return f"{reverse(url_name)}?{urlencode(params)}"


def search(user, term: str, *, limit: int = 5) -> list[Group]:
    """The groups with hits for ``term``, in a fixed order."""
    term = " ".join(term.split())[:MAX_LENGTH]
    if len(term) < MIN_LENGTH:
        return []
    groups = [
        _people(user, term, limit),
        _companies(user, term, limit),
        _opportunities(user, term, limit),
        _campaigns(user, term, limit),
        _orders(user, term, limit),
    ]
    return [group for group in groups if group.hits]


def _people(user, term: str, limit: int) -> Group:
    group = Group("people", _("People"), "people", _more("people:list", q=term))
    condition = people_condition(term)
    if condition is None:
        return group
    queryset = access.people(user).order_by("-created_at", "-id")
    fields = ("pk", "first_name", "last_name", "email", "mobile", "phone")
    for row in first_matches(queryset.values(*fields), condition, limit):
        detail = " · ".join(
            part for part in (row["email"], format_phone(row["mobile"] or row["phone"])) if part
        )
        name = f"{row['first_name']} {row['last_name']}".strip()
        group.hits.append(Hit(name, detail, reverse("people:detail", args=[row["pk"]])))
    return group


def _companies(user, term: str, limit: int) -> Group:
    group = Group("companies", _("Companies"), "building", _more("companies:list", q=term))
    condition = companies_condition(term)
    if condition is None:
        return group
    queryset = access.companies(user).order_by("-created_at", "-id")
    for row in first_matches(queryset.values("pk", "name", "tax_id", "city"), condition, limit):
        detail = " · ".join(part for part in (row["tax_id"], row["city"]) if part)
        group.hits.append(Hit(row["name"], detail, reverse("companies:detail", args=[row["pk"]])))
    return group


def _opportunities(user, term: str, limit: int) -> Group:
    from opportunities.models import Opportunity

    group = Group("opportunities", _("Opportunities"), "kanban", _more("opportunities:list", q=term))
    query = text_query(term)
    if query is None:
        return group
    queryset = access.opportunities(user).order_by("-created_at", "-id")
    fields = ("pk", "subject", "status", "pipeline__name", "stage__name")
    statuses = dict(Opportunity.Status.choices)
    for row in first_matches(queryset.values(*fields), Q(search=query), limit):
        detail = " · ".join((row["pipeline__name"], row["stage__name"], str(statuses[row["status"]])))
        group.hits.append(Hit(row["subject"], detail, reverse("opportunities:detail", args=[row["pk"]])))
    return group


def _campaigns(user, term: str, limit: int) -> Group:
    group = Group("campaigns", _("Campaigns"), "megaphone", _more("campaigns:list", product=term))
    query = text_query(term)
    if query is None:
        return group
    rows = (
        access.campaigns(user)
        .filter(search=query)
        .order_by("-starts_on", "-id")
        .values("pk", "name", "product_name")[:limit]
    )
    for row in rows:
        group.hits.append(
            Hit(row["name"], row["product_name"], reverse("campaigns:detail", args=[row["pk"]]))
        )
    return group


_ORDER_NUMBER = re.compile(r"^#?\s*(\d{1,12})$")


def _orders(user, term: str, limit: int) -> Group:
    from serviceorders.filters import concept_search
    from serviceorders.models import ServiceOrder

    group = Group("orders", _("Service orders"), "tools", _more("serviceorders:list", q=term))
    queryset = access.service_orders(user)
    number = _ORDER_NUMBER.match(term)
    queryset = queryset.filter(number=int(number.group(1))) if number else concept_search(queryset, term)
    rows = queryset.values("number", "status", "company__name", "detail")[:limit]
    statuses = dict(ServiceOrder.Status.choices)
    for row in rows:
        title = f"#{row['number']}" + (f" · {row['company__name']}" if row["company__name"] else "")
        group.hits.append(
            Hit(
                title,
                f"{statuses[row['status']]} · {row['detail'][:80]}",
                reverse("serviceorders:detail", args=[row["number"]]),
            )
        )
    return group
