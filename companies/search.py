"""Companies in the global search (crm.search): names, tax ids, phones."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies.filters import search_condition
from crm import access
from crm.pagination import first_matches
from crm.search import Group, Hit, more_url, register


@register(20)
def find_companies(user, term: str, limit: int) -> Group:
    group = Group("companies", _("Companies"), "building", more_url("companies:list", q=term))
    condition = search_condition(term)
    if condition is None:
        return group
    queryset = access.companies(user).order_by("-created_at", "-id")
    for row in first_matches(queryset, condition, limit, ("pk", "name", "tax_id", "city")):
        detail = " · ".join(part for part in (row["tax_id"], row["city"]) if part)
        group.hits.append(Hit(row["name"], detail, reverse("companies:detail", args=[row["pk"]])))
    return group
