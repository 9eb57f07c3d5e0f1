"""What the CRM holds about a person in their timeline: activities, emails (and the Outbox's
and Inbox's copies), WhatsApp messages, and the notifications that name them
(crm.personal_data)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    Email,
    EmailAttachment,
    InboundEmail,
    Notification,
    OutboxMessage,
    WhatsAppMessage,
)
from crm import access
from crm.personal_data import Holder, Identifiers, redact_history, register, row, scrub

ERASED = {"subject": "—", "detail": ""}


def _about(person) -> Q:
    """Activities about the person, or about their cards and orders: each found down its own
    index (an OR across the joins made PostgreSQL read every activity: 22 s at 3,000,000)."""
    cards = Activity._meta.get_field("opportunity").related_model.objects.filter(contact=person)
    orders = Activity._meta.get_field("service_order").related_model.objects.filter(contact=person)
    return (
        Q(person=person)
        | Q(access.among("opportunity_id", cards.values_list("pk", flat=True)))
        | Q(access.among("service_order_id", orders.values_list("pk", flat=True)))
    )


def collect(person) -> list[dict]:
    rows = []
    activities = (
        Activity.objects.filter(person=person)
        .select_related("owner", "email", "whatsapp")
        .order_by("created_at", "id")
    )
    for activity in activities:
        data = row(
            activity, "kind", "subject", "detail", "due_at", "done_at", "received", "owner", "created_at"
        )
        email = getattr(activity, "email", None)
        if email is not None:
            data[str(_("email"))] = row(
                email, "from_email", "to", "cc", "subject", "body", "status", "sent_at"
            )
        message = getattr(activity, "whatsapp", None)
        if message is not None:
            data["WhatsApp"] = row(message, "phone", "body", "template", "status")
        rows.append(data)
    return rows


def files(person):
    for attachment in EmailAttachment.objects.filter(email__activity__person=person).order_by("pk"):
        yield f"{attachment.pk}-{attachment.name}", attachment.file


def erase(person, ids: Identifiers) -> dict[str, int]:
    counts = {}
    own = list(Activity.objects.filter(person=person).values_list("pk", flat=True))
    counts["activities"] = Activity.objects.filter(pk__in=own).update(**ERASED)
    related = Activity.objects.filter(_about(person)).exclude(pk__in=own)
    counts["activities_mentioning"] = scrub(related, ["subject", "detail"], ids)
    counts["history"] = redact_history(Activity, own, ERASED) + redact_history(
        Activity, related.values_list("pk", flat=True), ids=ids
    )
    for attachment in EmailAttachment.objects.filter(email__activity__in=own):
        attachment.file.delete(save=False)
    counts["emails"] = Email.objects.filter(activity__in=own).delete()[0]
    counts["emails_mentioning"] = scrub(Email.objects.all(), ["to", "cc", "subject", "body"], ids)
    counts["whatsapp"] = WhatsAppMessage.objects.filter(activity__in=own).update(
        phone="", body="", template=""
    )
    if person.email:
        address = person.email
        counts["outbox"] = OutboxMessage.objects.filter(
            Q(recipients__icontains=address) | Q(mail_from__iexact=address)
        ).delete()[0]
        counts["inbox"] = InboundEmail.objects.filter(
            Q(from_email__iexact=address) | Q(to__icontains=address) | Q(cc__icontains=address)
        ).delete()[0]
    counts["notifications"] = scrub(Notification.objects.all(), ["text", "detail"], ids)
    return counts


register(Holder("activities", _("Activities, emails and messages"), collect, erase, files, order=10))
