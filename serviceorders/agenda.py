"""Service-order appointments in the agenda (activities.agenda): an assignee's orders on
their appointment date; moving one changes the appointment through ``order_update``."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from activities import agenda
from crm import access
from crm.versioning import version_of
from serviceorders.models import ServiceOrder
from serviceorders.services import order_update

# An appointment has no end: it shows for an hour.
LENGTH = datetime.timedelta(hours=1)
FINISHED = (ServiceOrder.Status.DONE, ServiceOrder.Status.VERIFIED)


def _event(viewer, order: ServiceOrder) -> dict:
    done = order.status in FINISHED
    event = agenda.event(
        source="order",
        pk=order.pk,
        title=_("Order %(number)s · %(client)s") % {"number": order, "client": order.company},
        start=agenda.wall_clock(order.appointment_at),
        end=agenda.wall_clock(order.appointment_at + LENGTH),
        overdue=not done and order.appointment_at < timezone.now(),
        url=order.get_absolute_url(),
        kind="order",
        agent=str(order.assignee),
        agent_id=order.assignee_id,
        version=version_of(order),
        editable=access.may_change(viewer, order),
        done=done,
        about=str(order.company),
    )
    event["durationEditable"] = False
    return event


def order_events(viewer, agents, start, end) -> list[dict]:
    orders = access.service_orders(viewer).filter(appointment_at__gte=start - LENGTH, appointment_at__lt=end)
    if not access.sees_everything(viewer):
        orders = orders.filter(assignee=viewer)
    elif agents is not None:
        orders = orders.filter(assignee_id__in=list(agents))
    rows = orders.select_related("assignee", "company").order_by("appointment_at", "pk")[: agenda.MAX_EVENTS]
    return [_event(viewer, order) for order in rows]


def order_move(viewer, pk: int, start, end, version: str) -> dict:
    order = access.get_for_change(
        viewer, access.service_orders(viewer).filter(appointment_at__isnull=False), pk=pk
    )
    moved = order_update(order=order, by=viewer, version=version or None, appointment_at=start)
    moved = ServiceOrder.objects.select_related("assignee", "company").get(pk=moved.pk)
    return _event(viewer, moved)


agenda.register(agenda.Source("order", order_events, order_move))
