"""State changes of projects and service orders (seed 003): consecutive keys
and numbers, services registered, verification and reopening. Every change
is on the order's timeline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities import notifications
from activities.models import Activity
from crm.models import User
from crm.numbers import next_number
from crm.validation import full_clean
from crm.versioning import check_version
from serviceorders.models import Project, ServiceEntry, ServiceOrder, ServiceOrderEvent

PROJECT_FIELDS = ("company", "name", "starts_on", "goal_on", "owner", "contact")
ORDER_FIELDS = (
    "project",
    "company",
    "contact",
    "priority",
    "assignee",
    "appointment_at",
    "category",
    "detail",
    "equipment_received",
)
S = ServiceOrder.Status


def _check_contact(company, contact) -> None:
    if (
        company is not None
        and contact is not None
        and not contact.memberships.filter(company=company).exists()
    ):
        raise ValidationError({"contact": _("The contact must be a person of that company.")})


def _event(order: ServiceOrder, kind: str, by: User, comment: str = "") -> ServiceOrderEvent:
    return ServiceOrderEvent.record([order.pk], kind=kind, by=by, comment=comment)[0]


@transaction.atomic
def project_create(*, by: User, **fields: Any) -> Project:
    _check_contact(fields.get("company"), fields.get("contact"))
    project = Project(**fields)
    project.key = 0  # set below; validation needs a value
    full_clean(project, exclude=["key"])
    project.key = next_number("project")
    project.save()
    return project


@transaction.atomic
def project_update(*, project: Project, by: User, **fields: Any) -> Project:
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(project, name, value)
    _check_contact(project.company, project.contact)
    full_clean(project)
    project.save()
    return project


@transaction.atomic
def order_create(*, by: User, activity: Activity | None = None, **fields: Any) -> ServiceOrder:
    """A new order, on its own or from an activity that left something pending."""
    _check_contact(fields.get("company"), fields.get("contact"))
    project = fields.get("project")
    if (
        project is not None
        and fields.get("company") is not None
        and project.company_id != fields["company"].pk
    ):
        raise ValidationError({"project": _("The project belongs to another client.")})
    order = ServiceOrder(created_by=by, **fields)
    order.number = 0
    full_clean(order, exclude=["number", "search"])
    order.number = next_number("order")
    order.save()
    _event(order, ServiceOrderEvent.Kind.CREATED, by)
    if activity is not None:
        Activity.objects.filter(pk=activity.pk).update(service_order=order)
    _tell_assignee(order.assignee_id, by, [order.pk])
    return order


@transaction.atomic
def order_update(*, order: ServiceOrder, by: User, version: str | None = None, **fields: Any) -> ServiceOrder:
    locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    check_version(locked, version)
    old_assignee = locked.assignee_id
    changed = []
    for name, value in fields.items():
        if name not in ORDER_FIELDS:
            raise ValueError(f"{name} is not editable")
        if getattr(locked, name) != value:
            changed.append(str(ServiceOrder._meta.get_field(name).verbose_name))
            setattr(locked, name, value)
    _check_contact(locked.company, locked.contact)
    full_clean(locked, exclude=["search"])
    locked.save()
    if changed:
        _event(locked, ServiceOrderEvent.Kind.EDITED, by, ", ".join(changed))
    if locked.assignee_id != old_assignee:
        _tell_assignee(locked.assignee_id, by, [locked.pk])
    return locked


@transaction.atomic
def orders_reassign(*, ids, to: User, by: User) -> dict[int, int]:
    """Give orders to the assignee ``to``; returns {pk: previous assignee id} of those that moved."""
    previous = dict(
        ServiceOrder.objects.filter(pk__in=list(ids)).exclude(assignee=to).values_list("pk", "assignee_id")
    )
    ServiceOrder.objects.filter(pk__in=previous).update(assignee=to)
    label = str(ServiceOrder._meta.get_field("assignee").verbose_name)
    ServiceOrderEvent.record(previous, kind=ServiceOrderEvent.Kind.EDITED, by=by, comment=label)
    _tell_assignee(to, by, previous)
    return previous


def _tell_assignee(to, by: User, ids) -> None:
    notifications.given(
        to=to,
        by=by,
        ids=ids,
        model=ServiceOrder,
        kind=notifications.Kind.ORDER,
        several=lambda count: (
            ngettext(
                "%(name)s assigned you %(count)s service order",
                "%(name)s assigned you %(count)s service orders",
                count,
            )
            % {"name": by, "count": count}
        ),
        list_url=reverse("serviceorders:list"),
    )


@transaction.atomic
def entry_add(*, order: ServiceOrder, by: User, detail: str, finished: bool = False) -> ServiceEntry:
    """Register a service; "service finished" marks the order done."""
    locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    detail = detail.strip()
    if not detail:
        raise ValidationError({"detail": _("Describe the work done.")})
    if locked.status == S.VERIFIED:
        raise ValidationError(_("This order is verified and closed: reopen it to register more services."))
    entry = ServiceEntry.objects.create(order=locked, author=by, detail=detail, finished=finished)
    if finished and locked.status != S.DONE:
        locked.status = S.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        _event(locked, ServiceOrderEvent.Kind.DONE, by)
    return entry


@transaction.atomic
def order_verify(
    *, order: ServiceOrder, by: User, comments: str, closed: bool, rating: int | None = None
) -> ServiceOrder:
    """The customer's word on a finished order: closed (verified, with a
    rating from 1 to 5) or not (the order is reopened)."""
    locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != S.DONE:
        raise ValidationError(_("Only a finished order can be verified."))
    comments = comments.strip()
    if not closed:
        return _reopen(locked, by, comments)
    if rating is None or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the service from 1 to 5.")})
    locked.status = S.VERIFIED
    locked.rating = rating
    locked.customer_comments = comments
    locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "rating", "customer_comments", "verified_at", "updated_at"])
    _event(locked, ServiceOrderEvent.Kind.VERIFIED, by, f"{rating}/5 {comments}".strip())
    return locked


@transaction.atomic
def order_reopen(*, order: ServiceOrder, by: User, comments: str) -> ServiceOrder:
    locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status not in (S.DONE, S.VERIFIED):
        raise ValidationError(_("Only a finished or verified order can be reopened."))
    return _reopen(locked, by, comments.strip())


def _reopen(order: ServiceOrder, by: User, comments: str) -> ServiceOrder:
    if not comments:
        raise ValidationError({"comments": _("Write the customer's comments.")})
    order.status = S.REOPENED
    order.customer_comments = comments
    order.finished_at = None
    order.verified_at = None
    order.rating = None
    order.save(
        update_fields=["status", "customer_comments", "finished_at", "verified_at", "rating", "updated_at"]
    )
    _event(order, ServiceOrderEvent.Kind.REOPENED, by, comments)
    return order
