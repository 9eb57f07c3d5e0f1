"""Opportunities in the global search (crm.search): their subjects."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.pagination import first_matches
from crm.search import Group, Hit, more_url, register
from opportunities.models import Opportunity
from people.filters import text_query


@register(30)
def find_opportunities(user, term: str, limit: int) -> Group:
    group = Group("opportunities", _("Opportunities"), "kanban", more_url("opportunities:list", q=term))
    query = text_query(term)
    if query is None:
        return group
    queryset = access.opportunities(user).order_by("-created_at", "-id")
    fields = ("pk", "subject", "status", "pipeline__name", "stage__name")
    statuses = dict(Opportunity.Status.choices)
    for row in first_matches(queryset, Q(search=query), limit, fields):
        detail = " · ".join((row["pipeline__name"], row["stage__name"], str(statuses[row["status"]])))
        group.hits.append(Hit(row["subject"], detail, reverse("opportunities:detail", args=[row["pk"]])))
    return group
