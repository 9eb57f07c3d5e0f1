"""The Service orders list's bulk actions (crm.bulk): give to."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext

from crm import access, bulk
from serviceorders import services

ORDERS = bulk.register(
    bulk.ListKind(
        "orders",
        gettext_lazy("service orders"),
        "serviceorders.ServiceOrder",
        access.service_orders,
        "serviceorders.filters.OrderFilter",
        "serviceorders:list",
        actions=[bulk.reassign_action(services.orders_reassign)],
        counted=lambda n: ngettext("%(count)s service order", "%(count)s service orders", n) % {"count": n},
    )
)
