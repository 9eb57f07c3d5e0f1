"""Campaign emails: one template to many people (the members of a campaign, or who a tag or
a saved list names). Starting one records every recipient at once, the unsubscribed and
those without an address skipped and counted; the task worker then writes and sends the
rest at EMAIL_RATE_PER_MINUTE, each as the sender's own email on the person's timeline, with
a one-click unsubscribe link (and List-Unsubscribe headers, RFC 8058)."""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import placeholders
from activities import services as activity_services
from activities.models import Email
from campaigns.models import Mailing, MailingRecipient
from crm import consent, team
from crm.models import User
from people.models import Person

STEP_SECONDS = 10  # the rate is kept in steps: a sixth of the minute's messages every 10 s
UNSUBSCRIBE_SALT = "campaigns.unsubscribe"


def unsubscribe_token(person_id: int) -> str:
    return signing.dumps(person_id, salt=UNSUBSCRIBE_SALT, compress=True)


def person_for_token(token: str) -> Person | None:
    """The person an unsubscribe link was made for (the link is their signed id)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Person.objects.filter(pk=value).first() if isinstance(value, int) else None


@transaction.atomic
def mailing_start(
    *, by: User, people: QuerySet, subject: str, body: str, audience: str, base_url: str, campaign=None
) -> Mailing:
    """Record a campaign email to ``people`` (already limited to whom ``by`` may write) and
    hand it to the task worker."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise ValidationError(_("A campaign email needs a subject and a message."))
    mailing = Mailing.objects.create(
        campaign=campaign,
        audience=audience[:300],
        subject=subject[:200],
        body=body,
        base_url=base_url.rstrip("/"),
        created_by=by,
    )
    rows = (
        people.order_by()
        .annotate(may_write=consent.latest(consent.Channel.EMAIL, consent.Purpose.MARKETING))
        .values_list("pk", "email", "unsubscribed_at", "may_write")
        .distinct()
    )
    recipients = [
        MailingRecipient(mailing=mailing, person_id=pk, status=_status(email, unsubscribed, may_write))
        for pk, email, unsubscribed, may_write in rows.iterator(chunk_size=2000)
    ]
    if not recipients:
        raise ValidationError(_("Nobody to write to: the list is empty."))
    MailingRecipient.objects.bulk_create(recipients, batch_size=2000)
    mailing.total = len(recipients)
    mailing.save(update_fields=["total"])
    transaction.on_commit(lambda: _enqueue(mailing.pk))
    return mailing


def _status(email: str, unsubscribed, may_write: bool) -> str:
    """Whom a campaign email is written to: not the unsubscribed, nor those without an address
    or without a basis to receive marketing email (crm.consent)."""
    R = MailingRecipient.Status
    if unsubscribed:
        return R.UNSUBSCRIBED
    if not email:
        return R.NO_ADDRESS
    return R.PENDING if may_write else R.NO_CONSENT


def _enqueue(mailing_id: int, after=None) -> None:
    from campaigns.tasks import send_mailing

    (send_mailing.using(run_after=after) if after else send_mailing).enqueue(mailing_id)


def mailing_send_step(*, mailing_id: int) -> int:
    """Write and send the next step's share of a mailing (the task worker); plan the next
    step, or mark the mailing done. Returns how many were written."""
    mailing = Mailing.objects.select_related("created_by").get(pk=mailing_id)
    if mailing.status == Mailing.Status.DONE:
        return 0
    started = time.monotonic()
    share = math.ceil(settings.EMAIL_RATE_PER_MINUTE * STEP_SECONDS / 60)
    written = 0
    connection = get_connection()  # one SMTP session for the step's messages
    try:
        with team.speaking_as(mailing.created_by):
            footer = _("To receive no more of these emails, open: %(url)s")
            for _index in range(share):
                email = _write_next(mailing, footer)
                if email is False:
                    break
                if email is not None:
                    written += 1
                    email = activity_services.email_deliver(email_id=email.pk, connection=connection)
                    if email.status != Email.Status.SENT:
                        connection.close()  # retried on its own; the next one reconnects
    finally:
        connection.close()
    if MailingRecipient.objects.filter(mailing=mailing, status=MailingRecipient.Status.PENDING).exists():
        wait = max(0.0, STEP_SECONDS - (time.monotonic() - started))
        _enqueue(mailing.pk, timezone.now() + timedelta(seconds=wait))
    else:
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.DONE, finished_at=timezone.now())
    return written


@transaction.atomic
def _write_next(mailing: Mailing, footer: str) -> Email | bool | None:
    """The next waiting recipient written (their email, queued), skipped if they unsubscribed
    meanwhile (None), or False when none waits."""
    recipient = (
        MailingRecipient.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("person")
        .filter(mailing=mailing, status=MailingRecipient.Status.PENDING)
        .order_by("id")
        .first()
    )
    if recipient is None:
        return False
    person = recipient.person
    may_write = consent.may_contact(person, consent.Channel.EMAIL, consent.Purpose.MARKETING)
    status = _status(person.email, person.unsubscribed_at, may_write)
    if status != MailingRecipient.Status.PENDING:  # unsubscribed or withdrawn meanwhile
        recipient.status = status
        recipient.save(update_fields=["status"])
        return None
    values = placeholders.values_for(agent=mailing.created_by, person=person)
    url = mailing.base_url + reverse("unsubscribe", args=[unsubscribe_token(person.pk)])
    email = activity_services.email_send(
        by=mailing.created_by,
        person=person,
        subject=placeholders.fill(mailing.subject, values)[:200],
        body=placeholders.fill(mailing.body, values) + "\n\n-- \n" + footer % {"url": url},
        campaign=mailing.campaign,
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        deliver=False,
    )
    recipient.status, recipient.email = MailingRecipient.Status.WRITTEN, email
    recipient.save(update_fields=["status", "email"])
    return email


def counts(mailing: Mailing) -> dict[str, int]:
    """How far a mailing got, in one query: waiting, sent, failed, queued (written, not yet
    through), skipped for each reason, and done (all but the waiting)."""
    R, E = MailingRecipient.Status, Email.Status
    written = Q(status=R.WRITTEN)
    numbers = MailingRecipient.objects.filter(mailing=mailing).aggregate(
        waiting=Count("pk", filter=Q(status=R.PENDING)),
        sent=Count("pk", filter=written & Q(email__status=E.SENT)),
        failed=Count("pk", filter=written & Q(email__status=E.FAILED)),
        queued=Count("pk", filter=written & Q(email__status=E.QUEUED)),
        unsubscribed=Count("pk", filter=Q(status=R.UNSUBSCRIBED)),
        no_address=Count("pk", filter=Q(status=R.NO_ADDRESS)),
        no_consent=Count("pk", filter=Q(status=R.NO_CONSENT)),
    )
    numbers["done"] = mailing.total - numbers["waiting"]
    numbers["percent"] = round(100 * numbers["done"] / mailing.total) if mailing.total else 100
    return numbers
