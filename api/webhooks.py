"""Outbound webhooks: the CRM tells other tools what happened.

The record's own timeline events (PersonEvent, OpportunityEvent,
ServiceOrderEvent, heard through ``crm.signals.events_recorded`` whenever a service
records them) name what happened; once the change is committed a delivery
per subscribed webhook is stored and handed to the task worker, which POSTs the
JSON signed with the webhook's secret (``X-CRM-Signature: sha256=<HMAC-SHA256 of
the body>``), retries with back-off and logs every attempt. Nothing is sent
during the user's request, so a slow, failing or disabled endpoint never
blocks it. People changed in bulk (a set of events, or an import's COPY through
``people.signals.changed_in_bulk``): after commit one task expands them into a
delivery per person and webhook, so the user's request pays for one row whatever
the number of people.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from activities import notifications
from api.models import Webhook, WebhookAttempt, WebhookDelivery
from crm import outbound
from crm.signals import events_recorded, person_erased
from people.signals import changed_in_bulk

MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 5
Event = Webhook.Event


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempt: int) -> timedelta:
    """1, 2, 4, 8 minutes between attempts."""
    return timedelta(minutes=2 ** (attempt - 1))


def subscribed(event: str) -> list[Webhook]:
    """The active webhooks that chose ``event`` (a handful: read whole, filtered here)."""
    return [w for w in Webhook.objects.filter(active=True) if event in w.events]


def _payload(event: str, data: dict) -> dict:
    payload = {"event": event, "at": timezone.now(), "data": data}
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def emit(event: str, data: dict) -> None:
    """Announce ``event`` once the current transaction commits."""

    def store() -> None:
        payload = _payload(event, data)
        for webhook in subscribed(event):
            delivery = WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload)
            deliver.enqueue(delivery.pk)

    transaction.on_commit(store)


def emit_people(event: str, ids: list[int]) -> None:
    """Announce ``event`` for each of these people once the transaction commits:
    the worker writes the deliveries (``announce_people``)."""

    def store() -> None:
        if subscribed(event):
            announce_people.enqueue(event, ids)

    if ids:
        transaction.on_commit(store)


ANNOUNCE_CHUNK = 500


@task()
def announce_people(event: str, ids: list[int]) -> int:
    """A delivery of ``event`` per person and subscribed webhook, each with the
    person as they are now; returns how many deliveries were planned."""
    from people.models import Person

    webhooks = subscribed(event)
    planned = 0
    for start in range(0, len(ids) if webhooks else 0, ANNOUNCE_CHUNK):
        batch = []
        for person in Person.objects.filter(pk__in=ids[start : start + ANNOUNCE_CHUNK]).order_by("pk"):
            payload = _payload(event, {"person": _record(person, PERSON_FIELDS)})
            batch += [WebhookDelivery(webhook=webhook, event=event, payload=payload) for webhook in webhooks]
        deliveries = WebhookDelivery.objects.bulk_create(batch)
        for delivery in deliveries:
            deliver.enqueue(delivery.pk)
        planned += len(deliveries)
    return planned


@task()
def deliver(delivery_id: int) -> str:
    """One attempt; a failed one plans the next until MAX_ATTEMPTS."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "gone"
    webhook = delivery.webhook
    if not webhook.active:
        delivery.status, delivery.finished_at = WebhookDelivery.Status.FAILED, timezone.now()
        delivery.save(update_fields=["status", "finished_at"])
        WebhookAttempt.objects.create(delivery=delivery, error="disabled")
        return "disabled"
    body = json.dumps(delivery.payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CRM-Webhooks/1",
        "X-CRM-Event": delivery.event,
        "X-CRM-Delivery": str(delivery.pk),
        "X-CRM-Signature": sign(webhook.secret, body),
    }
    started = time.monotonic()
    # Checked again at every delivery: the name may resolve elsewhere since it was registered.
    code, error = outbound.post(webhook.url, body, headers, timeout=TIMEOUT_SECONDS)
    milliseconds = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(delivery=delivery, status_code=code, error=error, milliseconds=milliseconds)
    delivery.attempts += 1
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.finished_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.finished_at = WebhookDelivery.Status.FAILED, timezone.now()
        notifications.failing(
            text=lambda: _("The webhook %(url)s keeps failing") % {"url": webhook.url},
            url=reverse("api:webhook", args=[webhook.pk]),
            detail=error or str(code),
        )
    else:
        deliver.using(run_after=timezone.now() + backoff(delivery.attempts)).enqueue(delivery.pk)
    delivery.save(update_fields=["status", "attempts", "finished_at"])
    return delivery.status


# What the timelines record, announced -------------------------------------------------------

PERSON_EVENTS = {
    "created": Event.PERSON_CREATED,
    "updated": Event.PERSON_UPDATED,
    "stage": Event.PERSON_UPDATED,
    "tagged": Event.PERSON_UPDATED,
    "untagged": Event.PERSON_UPDATED,
    "discarded": Event.PERSON_DISCARDED,
    "restored": Event.PERSON_RESTORED,
}
OPPORTUNITY_EVENTS = {"stage": Event.OPPORTUNITY_STAGE, "status": Event.OPPORTUNITY_STATUS}
ORDER_EVENTS = {"done": Event.ORDER_FINISHED, "verified": Event.ORDER_VERIFIED}

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "city",
    "country",
    "stage",
    "owner_id",
]
OPPORTUNITY_FIELDS = [
    "subject",
    "pipeline_id",
    "stage_id",
    "status",
    "amount",
    "currency",
    "agent_id",
    "company_id",
]
ORDER_FIELDS = ["number", "status", "company_id", "assignee_id", "rating"]


def _record(instance, fields: list[str]) -> dict:
    return {"id": instance.pk, **{name: getattr(instance, name, None) for name in fields}}


def _ids_by_kind(events, field: str) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for event in events:
        grouped.setdefault(event.kind, []).append(getattr(event, field))
    return grouped


def connect() -> None:
    from opportunities.models import OpportunityEvent
    from people.models import Person, PersonEvent
    from serviceorders.models import ServiceOrderEvent

    @receiver(events_recorded, weak=False)
    def timeline_events(sender, events, **kwargs):
        """Every change a timeline records (one record or a set), announced."""
        if sender is PersonEvent:
            for kind, ids in _ids_by_kind(events, "person_id").items():
                if kind not in PERSON_EVENTS:
                    continue
                if len(ids) == 1:
                    person = Person.objects.get(pk=ids[0])
                    emit(PERSON_EVENTS[kind], {"person": _record(person, PERSON_FIELDS)})
                else:
                    emit_people(PERSON_EVENTS[kind], ids)
        elif sender is OpportunityEvent:
            for event in events:
                if event.kind in OPPORTUNITY_EVENTS:
                    data = {
                        "opportunity": _record(event.opportunity, OPPORTUNITY_FIELDS),
                        "from": event.old_value,
                        "to": event.new_value,
                    }
                    emit(OPPORTUNITY_EVENTS[event.kind], data)
        elif sender is ServiceOrderEvent:
            for event in events:
                if event.kind in ORDER_EVENTS:
                    emit(ORDER_EVENTS[event.kind], {"order": _record(event.order, ORDER_FIELDS)})

    @receiver(person_erased, weak=False)
    def erased(sender, person_id, at, **kwargs):
        """An erasure is announced with the person's number only: nothing else of them is left."""
        emit(Event.PERSON_ERASED, {"person": {"id": person_id, "erased_at": at.isoformat()}})

    @receiver(changed_in_bulk, weak=False)
    def people_changed_in_bulk(sender, kind, ids, **kwargs):
        if kind in PERSON_EVENTS:
            emit_people(PERSON_EVENTS[kind], list(ids))
