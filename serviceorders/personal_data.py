"""What the CRM holds about a person as a service order's contact: the orders, their services
and history (crm.personal_data). The orders stay for the reports; what names the person in
their texts is replaced."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.personal_data import Holder, Identifiers, redact_history, register, row, scrub
from serviceorders.models import ServiceEntry, ServiceOrder, ServiceOrderEvent


def collect(person) -> list[dict]:
    rows = []
    for order in ServiceOrder.objects.filter(contact=person).select_related("assignee").order_by("pk"):
        data = row(
            order,
            "number",
            "status",
            "priority",
            "assignee",
            "detail",
            "customer_comments",
            "rating",
            "created_at",
        )
        data[str(_("services"))] = [
            row(e, "detail", "finished", "created_at") for e in order.entries.order_by("pk")
        ]
        rows.append(data)
    return rows


def erase(person, ids: Identifiers) -> dict[str, int]:
    orders = ServiceOrder.objects.filter(contact=person)
    pks = list(orders.values_list("pk", flat=True))
    return {
        "orders": scrub(orders, ["detail", "customer_comments", "equipment_received"], ids),
        "order_history": redact_history(ServiceOrder, pks, ids=ids),
        "services": scrub(ServiceEntry.objects.filter(order__in=pks), ["detail"], ids),
        "order_events": scrub(ServiceOrderEvent.objects.filter(order__in=pks), ["comment"], ids),
    }


register(Holder("service_orders", _("Service orders"), collect, erase, order=50))
