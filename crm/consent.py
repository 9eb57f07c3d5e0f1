"""The lawful basis to contact people (crm.models.Consent): recorded, withdrawn, and asked for
before a campaign email, a WhatsApp message or an automation's email goes out. One query for
any number of people: the latest row per person, channel and purpose is the state."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from crm.models import Consent, User

Channel, Purpose, Basis, Source = Consent.Channel, Consent.Purpose, Consent.Basis, Consent.Source
# What "you may contact me" covers on a web form, an import or in the demo.
CONTACT_CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.WHATSAPP)


def latest(channel: str, purpose: str, person: str = "pk"):
    """An expression: whether the latest consent of the row's person (``person``: the path to
    its id) for the channel and purpose is given (false without any)."""
    state = Consent.objects.filter(person=OuterRef(person), channel=channel, purpose=purpose).order_by(
        "-at", "-id"
    )
    return Coalesce(Subquery(state.values("given")[:1], output_field=BooleanField()), Value(False))


def allowed(people: QuerySet, channel: str, purpose: str) -> QuerySet:
    """The people of ``people`` the team may contact on ``channel`` for ``purpose``."""
    return people.annotate(may_contact=latest(channel, purpose)).filter(may_contact=True)


def may_contact(person, channel: str, purpose: str) -> bool:
    return allowed(type(person).objects.filter(pk=person.pk), channel, purpose).exists()


@transaction.atomic
def record(
    *,
    people: Iterable[int],
    channels: Iterable[str],
    purposes: Iterable[str],
    given: bool,
    source: str,
    basis: str = Basis.CONSENT,
    text: str = "",
    by: User | None = None,
) -> list[Consent]:
    """Record the same basis given (or withdrawn) for each person, channel and purpose (one
    INSERT); returns the rows."""
    channels, purposes = list(channels), list(purposes)
    known = {
        "channel": (channels, Channel.values),
        "purpose": (purposes, Purpose.values),
        "basis": ([basis] if given else [], Basis.values),
        "source": ([source], Source.values),
    }
    for name, (values, allowed_values) in known.items():
        if (not values and name in ("channel", "purpose")) or set(values) - set(allowed_values):
            raise ValidationError({name: _("Choose one of the options.")})
    rows = [
        Consent(
            person_id=pk,
            channel=channel,
            purpose=purpose,
            basis=basis if given else "",
            given=given,
            source=source,
            text=text[:2000],
            by=by,
        )
        for pk in people
        for channel in channels
        for purpose in purposes
    ]
    return Consent.objects.bulk_create(rows, batch_size=2000)


def state(person) -> list[dict]:
    """The person's current basis per channel and purpose, for their page (one query)."""
    rows = (
        Consent.objects.filter(person=person)
        .order_by("channel", "purpose", "-at", "-id")
        .distinct("channel", "purpose")
        .select_related("by")
    )
    return list(rows)


__all__ = ["allowed", "latest", "may_contact", "record", "state"]
