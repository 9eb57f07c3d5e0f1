"""Campaigns in the global search (crm.search): names and products."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.search import Group, Hit, more_url, register
from people.filters import text_query


@register(40)
def find_campaigns(user, term: str, limit: int) -> Group:
    group = Group("campaigns", _("Campaigns"), "megaphone", more_url("campaigns:list", product=term))
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
