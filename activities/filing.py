"""Filing what customers write: a message read from a mailbox goes once (by Message-ID) on
the timeline of every person whose address sent or received it, with their company and
their open card, under the email of the CRM's it answers (In-Reply-To / References). A
message from nobody the CRM knows waits in the Inbox, to be filed on a person by hand or to
become a prospect."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr, parsedate_to_datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from activities import intake
from activities import services as activity_services
from activities.mail import parse, text_of
from activities.models import Activity, Email, InboundEmail, Mailbox
from crm import attachments
from crm.models import User

_IDS = re.compile(r"<[^<>\s]+>")
RAW_MAX_BYTES = 25 * 2**20  # what mail servers commonly accept at most


def _when(message: EmailMessage) -> datetime:
    """The message's date, if believable (1900 to 2100, not in the future), else now."""
    now = timezone.now()
    try:
        when = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError, IndexError):
        return now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when if datetime(1900, 1, 1, tzinfo=UTC) <= when <= now else now


def _addresses(message: EmailMessage, *headers: str) -> list[str]:
    values = [str(value) for header in headers for value in message.get_all(header, [])]
    return [address.strip().lower() for _name, address in getaddresses(values) if "@" in address]


def team_addresses() -> set[str]:
    """The team's own addresses: never a customer to file on (read once per mailbox check)."""
    own = {settings.DEFAULT_FROM_EMAIL.lower()}
    own |= {a.lower() for a in User.objects.exclude(email="").values_list("email", flat=True)}
    own |= {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    return own


def receive(*, raw: bytes, mailbox: Mailbox | None, ours: set[str] | None = None) -> InboundEmail | None:
    """Keep a message read from ``mailbox`` and file it; None if it was already read
    (through any mailbox) or is one the CRM sent itself (a BCC copy). ``ours``: the team's
    addresses (team_addresses()), when the caller reads many messages."""
    message = parse(raw)
    message_id = str(message["Message-ID"] or "").strip()[:255]
    if not message_id:
        message_id = f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    if Email.objects.filter(message_id=message_id).exists():
        return None
    from_name, from_email = parseaddr(str(message["From"] or ""))
    with transaction.atomic():
        inbound, created = InboundEmail.objects.get_or_create(
            message_id=message_id,
            defaults={
                "mailbox": mailbox,
                "in_reply_to": "\n".join(
                    _IDS.findall(f"{message['In-Reply-To'] or ''} {message['References'] or ''}")
                ),
                "from_email": from_email.lower()[:320],
                "from_name": from_name.replace("\x00", "")[:200],
                "to": "\n".join(_addresses(message, "To")),
                "cc": "\n".join(_addresses(message, "Cc")),
                "subject": " ".join(str(message["Subject"] or "").split()).replace("\x00", "")[:200],
                "body": text_of(message),
                # Kept for the files it brings when it is filed from the Inbox; a message
                # larger than any file could be is kept without them.
                "raw": raw if len(raw) <= RAW_MAX_BYTES else b"",
                "sent_at": _when(message),
            },
        )
        if not created:
            return None
        people = _people_for(inbound, team_addresses() if ours is None else ours)
        inbound.filed = file(inbound=inbound, people=people, message=message) if people else []
    return inbound


def answer_to(original: EmailMessage, body: str) -> bytes:
    """A reply to ``original`` as its (first) recipient would write it: from them, to whom it
    asks answers to go, threaded by In-Reply-To and References."""
    reply = EmailMessage()
    recipients = _addresses(original, "To")
    reply["From"] = recipients[0] if recipients else "customer@example.com"
    reply["To"] = str(original["Reply-To"] or original["From"] or settings.DEFAULT_FROM_EMAIL)
    subject = " ".join(str(original["Subject"] or "").split())
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Message-ID"] = make_msgid(domain="customer.example")
    reply["Date"] = format_datetime(timezone.now())
    parent = str(original["Message-ID"] or "").strip()
    if parent:
        reply["In-Reply-To"] = parent
        reply["References"] = f"{original['References'] or ''} {parent}".strip()
    reply.set_content(body)
    return bytes(reply)


def _people_for(inbound: InboundEmail, ours: set[str]) -> list:
    addresses = {inbound.from_email, *inbound.to.split(), *inbound.cc.split()} - ours - {""}
    if not addresses:
        return []
    return list(
        intake.person_model()
        .objects.annotate(address=Upper("email"))
        .filter(address__in=[a.upper() for a in addresses], discarded_at=None)
        .select_related("owner")
        .order_by("pk")
    )


def file(*, inbound: InboundEmail, people: list, by: User | None = None, message=None) -> list[Activity]:
    """Put ``inbound`` on each person's timeline (with their company and open card, under the
    CRM's email it answers) and keep its attachments on the person; the Inbox forgets it."""
    answered = {
        email.activity.person_id: email.activity
        for email in Email.objects.filter(message_id__in=inbound.in_reply_to.split()).select_related(
            "activity"
        )
    }
    message = message if message is not None else parse(bytes(inbound.raw))
    activities = []
    for person in people:
        parent = answered.get(person.pk)
        related = intake.context_for(person)  # their company, their open card
        if parent is not None and parent.opportunity_id:
            related["opportunity"] = parent.opportunity
        activity = activity_services.activity_received(
            kind=Activity.Kind.EMAIL,
            subject=inbound.subject,
            detail=inbound.body,
            person=person,
            at=inbound.sent_at,
            company=related.get("company"),
            opportunity=related.get("opportunity"),
            campaign=parent.campaign if parent is not None else None,
            in_reply_to=parent,
            by=by,
        )
        activities.append(activity)
        _keep_attachments(message, person=person, by=by or person.owner)
    inbound.status = InboundEmail.Status.FILED
    inbound.save(update_fields=["status"])
    return activities


def _keep_attachments(message: EmailMessage, *, person, by: User) -> None:
    """Each attached file the upload rules accept becomes the person's attachment; the others
    are left in the mailbox."""
    for part in message.iter_attachments():
        content = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(part.get_filename() or "file", content, part.get_content_type())
        try:
            attachments.attach(record=person, field="person", uploads=[upload], by=by)
        except ValidationError:
            continue
