"""Service orders as a spreadsheet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm import access
from crm.exports import Column, ExportSource, register
from serviceorders.filters import OrderFilter
from serviceorders.models import ServiceOrder


def _columns() -> list[Column]:
    return [
        Column(_("Number"), "number"),
        Column(_("Client"), "company__name"),
        Column(_("Contact"), "contact__first_name"),
        Column(_("Last name"), "contact__last_name"),
        Column(_("Project"), "project__name"),
        Column(_("Priority"), "priority", dict(ServiceOrder.Priority.choices)),
        Column(_("Status"), "status", dict(ServiceOrder.Status.choices)),
        Column(_("Assigned to"), "assignee__name"),
        Column(_("Appointment"), "appointment_at"),
        Column(_("Detail"), "detail"),
        Column(_("Equipment received"), "equipment_received"),
        Column(_("Rating"), "rating"),
        Column(_("Customer comments"), "customer_comments"),
        Column(_("Created"), "created_at"),
        Column(_("Finished"), "finished_at"),
    ]


def _orders(user, params):
    return OrderFilter(params, queryset=access.service_orders(user), user=user).qs


register(
    ExportSource(
        "service_orders", _("Service orders"), "serviceorders.export_serviceorder", _columns, _orders
    )
)
