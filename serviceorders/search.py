"""Service orders in the global search (crm.search): numbers and concepts."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.search import Group, Hit, more_url, register
from serviceorders.filters import concept_search
from serviceorders.models import ServiceOrder

_ORDER_NUMBER = re.compile(r"^#?\s*(\d{1,12})$")


@register(50)
def find_orders(user, term: str, limit: int) -> Group:
    group = Group("orders", _("Service orders"), "tools", more_url("serviceorders:list", q=term))
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
