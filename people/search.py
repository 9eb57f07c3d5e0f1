"""People in the global search (crm.search): names, emails and phones."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.countries import format_phone
from crm.pagination import first_matches
from crm.search import Group, Hit, more_url, register
from people.filters import search_condition


@register(10)
def find_people(user, term: str, limit: int) -> Group:
    group = Group("people", _("People"), "people", more_url("people:list", q=term))
    condition = search_condition(term)
    if condition is None:
        return group
    queryset = access.people(user).order_by("-created_at", "-id")
    fields = ("pk", "first_name", "last_name", "email", "mobile", "phone")
    for row in first_matches(queryset, condition, limit, fields):
        detail = " · ".join(
            part for part in (row["email"], format_phone(row["mobile"] or row["phone"])) if part
        )
        name = f"{row['first_name']} {row['last_name']}".strip()
        group.hits.append(Hit(name, detail, reverse("people:detail", args=[row["pk"]])))
    return group
