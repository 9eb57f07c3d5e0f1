"""State changes of activities: logging and planning them, reminders, categories, the
notes the CRM writes on timelines, and the email and WhatsApp channels."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities import intake, mentions, notifications, passwords, placeholders
from activities.models import (
    MAX_DURATION,
    MIN_DURATION,
    Activity,
    Category,
    Email,
    EmailAttachment,
    EmailTemplate,
    InboundEmail,
    Mailbox,
    OutboxMessage,
)
from crm import access, bounds, outbound
from crm import services as core
from crm.countries import format_phone
from crm.models import User
from crm.signals import message_received
from crm.validation import full_clean
from crm.versioning import check_version

# Activities, reminders, categories ------------------------------------------


@transaction.atomic
def activity_log(
    *,
    by: User,
    kind: str,
    subject: str,
    person=None,
    company=None,
    campaign=None,
    opportunity=None,
    service_order=None,
    category: Category | None = None,
    detail: str = "",
    done: bool = True,
    due_at: datetime | None = None,
    owner: User | None = None,
    follow_up_at: datetime | None = None,
    follow_up_subject: str = "",
    duration: int | None = None,
    mention: bool = False,
) -> tuple[Activity, Activity | None]:
    """Record an activity (done now, or planned for ``due_at``) and, in the
    same step, an optional follow-up reminder. Returns both. ``mention``: what a user
    typed, whose @mentions are checked and notified (not an email's or a lead's text)."""
    if person is None and company is None:
        raise ValidationError(_("An activity belongs to a person or a company."))
    if not done and due_at is None:
        raise ValidationError({"due_at": _("A planned activity needs a date and time.")})
    about = {
        "person": person,
        "company": company,
        "opportunity": opportunity,
        "service_order": service_order,
    }
    # The refusal goes next to what was typed: the detail, else the subject (a form with no detail).
    mentioned = (
        mentions.check(
            text=f"{subject}\n{detail}", by=by, about=about, field="detail" if detail.strip() else "subject"
        )
        if mention
        else []
    )
    activity = Activity(
        kind=kind,
        subject=subject.strip(),
        detail=detail.strip(),
        person=person,
        company=company,
        campaign=campaign,
        opportunity=opportunity,
        service_order=service_order,
        category=category,
        owner=owner or by,
        created_by=by,
        due_at=None if done else due_at,
        done_at=timezone.now() if done else None,
    )
    if duration is not None:
        activity.duration = duration
    full_clean(activity)
    activity.save()
    follow_up = None
    if follow_up_at is not None:
        follow_up = Activity(
            kind=Activity.Kind.TASK,
            subject=(follow_up_subject or _("Follow up: %(subject)s") % {"subject": activity.subject})[:200],
            person=person,
            company=company,
            campaign=campaign,
            opportunity=opportunity,
            service_order=service_order,
            category=category,
            owner=owner or by,
            created_by=by,
            due_at=follow_up_at,
        )
        full_clean(follow_up)
        follow_up.save()
    if mention:
        mentions.notify(users=mentioned, text=activity.detail or activity.subject, by=by, about=about)
    return activity, follow_up


def activity_received(
    *,
    kind: str,
    subject: str,
    detail: str,
    person,
    at: datetime,
    company=None,
    opportunity=None,
    campaign=None,
    in_reply_to: Activity | None = None,
    by: User | None = None,
) -> Activity:
    """What a customer wrote (an email read from a mailbox, a WhatsApp message), on their
    timeline at the time they wrote it, under what it answers; the person's agent owns it.
    Other modules hear of it (crm.signals.message_received)."""
    activity = Activity.objects.create(
        kind=kind,
        subject=(" ".join(subject.split()) or "—")[:200],
        detail=detail,
        person=person,
        company=company,
        opportunity=opportunity,
        campaign=campaign,
        owner=person.owner,
        created_by=by or person.owner,
        done_at=at,
        received=True,
        in_reply_to=in_reply_to,
    )
    message_received.send(sender=Activity, activity=activity)
    return activity


def note_add(*, record, field: str, by: User, subject: str, detail: str = "") -> Activity:
    """A done note the CRM writes on a record's timeline (an attachment, a merge, a
    deleted card); ``field`` names the record's kind. A card's or an order's note
    also shows on its person and company."""
    about = {field: record}
    if record is not None and field in ("opportunity", "service_order"):
        contact, company = record.contact, record.company
        about.update({k: v for k, v in (("person", contact), ("company", company)) if v is not None})
    return Activity.objects.create(
        kind=Activity.Kind.NOTE,
        subject=subject[:200],
        detail=detail,
        owner=by,
        created_by=by,
        done_at=timezone.now(),
        **about,
    )


def activity_mark_done(*, activity: Activity, by: User) -> Activity:
    if activity.done_at is None:
        activity.done_at = timezone.now()
        activity.save(update_fields=["done_at", "updated_at"])
    return activity


def activity_mark_pending(*, activity: Activity, by: User) -> Activity:
    if activity.done_at is not None:
        activity.done_at = None
        activity.save(update_fields=["done_at", "updated_at"])
    return activity


def reminder_reschedule(*, activity: Activity, by: User, due_at: datetime) -> Activity:
    activity.due_at = due_at
    activity.done_at = None
    activity.save(update_fields=["due_at", "done_at", "updated_at"])
    return activity


@transaction.atomic
def activity_reschedule(
    *, activity: Activity, by: User, due_at: datetime, duration: int | None = None, version: str | None = None
) -> Activity:
    """Move a planned activity in the agenda (and change how long it takes), on the
    version the calendar showed: a done one stays where it happened."""
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("owner", "person", "company")
        .get(pk=activity.pk)
    )
    check_version(locked, version)
    if locked.done_at is not None:
        raise ValidationError(_("This activity is done: it stays where it happened."), code="done")
    bounds.check_date(due_at)
    if duration is not None:
        if not MIN_DURATION <= duration <= MAX_DURATION:
            raise ValidationError(
                _("An activity lasts from %(min)s minutes to %(days)s days.")
                % {"min": MIN_DURATION, "days": MAX_DURATION // (24 * 60)},
                code="duration",
            )
        locked.duration = duration
    locked.due_at = due_at
    locked.save(update_fields=["due_at", "duration", "updated_at"])
    return locked


def reminder_reassign(*, activity: Activity, by: User, owner: User) -> Activity:
    if not owner.is_active:
        raise ValidationError({"owner": _("Choose an active user.")})
    given = activity.owner_id != owner.pk
    activity.owner = owner
    activity.save(update_fields=["owner", "updated_at"])
    if given:
        _tell_reminders_given(owner, by, [activity.pk])
    return activity


def _tell_reminders_given(to: User, by: User, ids) -> None:
    ids = list(ids)
    if not ids:
        return
    first = Activity.objects.get(pk=ids[0]) if len(ids) == 1 else None
    notifications.notify(
        [to],
        kind=notifications.Kind.GIVEN,
        actor=by,
        text=lambda: (
            _("%(name)s gave you a reminder: %(subject)s") % {"name": by, "subject": first}
            if first
            else ngettext(
                "%(name)s gave you %(count)s reminder", "%(name)s gave you %(count)s reminders", len(ids)
            )
            % {"name": by, "count": len(ids)}
        ),
        url=reverse("activities:reminders"),
    )


@transaction.atomic
def activities_mark_done(*, ids, by: User) -> int:
    """Mark many pending activities done at once (a won or lost card's reminders)."""
    return Activity.objects.filter(pk__in=list(ids), done_at=None).update(
        done_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def activities_reassign(*, ids, to: User, by: User) -> dict[int, int]:
    """Give activities (reminders) to ``to``; returns {pk: previous owner id} of those that moved."""
    if not to.is_active:
        raise ValidationError({"owner": _("Choose an active user.")})
    previous = dict(Activity.objects.filter(pk__in=list(ids)).exclude(owner=to).values_list("pk", "owner_id"))
    Activity.objects.filter(pk__in=previous).update(owner=to, updated_at=timezone.now())
    _tell_reminders_given(to, by, previous)
    return previous


@transaction.atomic
def email_send(
    *,
    by: User,
    person,
    subject: str,
    body: str,
    cc: list[str] | tuple = (),
    campaign=None,
    opportunity=None,
    company=None,
    attachments: list[tuple[str, bytes, str]] | tuple = (),
    headers: dict[str, str] | None = None,
    deliver: bool = True,
) -> Email:
    """Write an email to a person from the CRM: it goes on their timeline at once, whole,
    marked queued, and the task worker sends it through SMTP after the commit (retrying with
    back-off; the timeline says sent, or failed with the reason). ``deliver=False`` leaves
    the sending to the caller (a campaign email, sent at its own pace)."""
    if not person.email:
        raise ValidationError(_("This person has no email address."))
    activity, _follow_up = activity_log(
        by=by,
        kind=Activity.Kind.EMAIL,
        subject=subject,
        detail=body,
        person=person,
        company=company,
        campaign=campaign,
        opportunity=opportunity,
    )
    email = Email.objects.create(
        activity=activity,
        message_id=make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "crm.localhost"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        reply_to=by.email,
        to=person.email,
        cc="\n".join(cc),
        subject=subject,
        body=body,
        headers=headers or {},
        created_by=by,
    )
    for name, content, content_type in attachments:
        attachment = EmailAttachment(
            email=email, name=name[:255], content_type=content_type, size=len(content)
        )
        attachment.file.save(name, ContentFile(content), save=False)
        attachment.save()
    if deliver:
        transaction.on_commit(lambda: _enqueue_delivery(email.pk))
    return email


def _enqueue_delivery(email_id: int, after=None) -> None:
    from activities.tasks import deliver_email

    (deliver_email.using(run_after=after) if after else deliver_email).enqueue(email_id)


def email_deliver(*, email_id: int, connection=None) -> Email:
    """Send a queued email through SMTP (the task worker; ``connection``, an open one kept
    for many). A refused or unreachable server leaves it queued and tries again after 1, 2,
    4... times EMAIL_RETRY_SECONDS; after EMAIL_MAX_ATTEMPTS it is failed, with the server's
    reason."""
    with transaction.atomic():
        email = Email.objects.select_for_update().get(pk=email_id)
        if email.status != Email.Status.QUEUED:
            return email  # sent, or given up: once only
        email.attempts += 1
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            from_email=email.from_email,
            to=email.to.splitlines(),
            cc=email.cc.splitlines(),
            reply_to=[email.reply_to] if email.reply_to else None,
            headers={**email.headers, "Message-ID": email.message_id},
            connection=connection,
        )
        for attachment in email.attachments.all():
            with attachment.file.open("rb") as handle:
                message.attach(attachment.name, handle.read(), attachment.content_type)
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as error:
            email.error = str(error)[:1000] or error.__class__.__name__
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status = Email.Status.FAILED
            else:
                wait = settings.EMAIL_RETRY_SECONDS * 2 ** (email.attempts - 1)
                after = timezone.now() + timedelta(seconds=wait)
                transaction.on_commit(lambda: _enqueue_delivery(email.pk, after))
        else:
            email.status, email.sent_at, email.error = Email.Status.SENT, timezone.now(), ""
        email.save(update_fields=["attempts", "status", "sent_at", "error"])
    return email


@transaction.atomic
def email_template_save(
    *,
    by: User,
    template: EmailTemplate | None = None,
    team: bool,
    name: str,
    language: str,
    subject: str,
    body: str,
) -> EmailTemplate:
    """Create or change a template: a team one (administrators only) or the user's own."""
    if team and not access.is_admin(by):
        raise ValidationError(_("Only administrators keep the team's templates."))
    template = template or EmailTemplate()
    template.owner = None if team else by
    template.name, template.language = " ".join(name.split()), language
    template.subject, template.body = subject.strip(), body.strip()
    full_clean(template)
    template.save()
    return template


@transaction.atomic
def email_template_delete(*, template: EmailTemplate, by: User) -> None:
    template.delete()


def email_draft(*, template: EmailTemplate, agent: User, person=None, opportunity=None) -> dict[str, str]:
    """A template filled in for one message (activities.placeholders)."""
    values = placeholders.values_for(agent=agent, person=person, opportunity=opportunity)
    return {
        "subject": placeholders.fill(template.subject, values)[:200],
        "body": placeholders.fill(template.body, values),
    }


@transaction.atomic
def email_retry(*, email: Email, by: User) -> Email:
    """Send a failed email again (the writer, after fixing the address or the server)."""
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != Email.Status.FAILED:
        raise ValidationError(_("Only an email that failed can be sent again."))
    email.status, email.attempts = Email.Status.QUEUED, 0
    email.save(update_fields=["status", "attempts"])
    transaction.on_commit(lambda: _enqueue_delivery(email.pk))
    return email


def outbox_store(*, mail_from: str, recipients: list[str], raw: bytes) -> OutboxMessage:
    """Keep a message the embedded mail server received (activities.mail)."""
    from email import policy
    from email.parser import BytesHeaderParser

    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    return OutboxMessage.objects.create(
        mail_from=mail_from[:320],
        recipients="\n".join(recipients),
        subject=str(headers.get("Subject", ""))[:500],
        message_id=str(headers.get("Message-ID", "")).strip()[:255],
        raw=raw,
    )


def clean_category_name(name: str, exclude_pk: int | None = None) -> str:
    name = " ".join(name.split())
    clash = Category.objects.filter(name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("A category with this name already exists.")})
    return name


@transaction.atomic
def category_create(*, name: str) -> Category:
    category = Category(name=clean_category_name(name))
    full_clean(category)
    category.save()
    return category


@transaction.atomic
def category_rename(*, category: Category, name: str) -> Category:
    category.name = clean_category_name(name, exclude_pk=category.pk)
    full_clean(category)
    category.save(update_fields=["name"])
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    if Activity.objects.filter(category=category).exists():
        raise ValidationError(_("This category is used by activities and cannot be deleted."))
    category.delete()


# WhatsApp ----------------------------------------------------------------------------


def whatsapp_message(*, template: str, person, agent: User) -> str:
    """The user's template with the person's and agent's names (activities.placeholders);
    unknown placeholders, and any other braces, are left as written."""
    return placeholders.fill(template, placeholders.values_for(agent=agent, person=person))


def whatsapp_url(number: str, message: str = "") -> str:
    """The click-to-chat address (wa.me) of an E.164 number."""
    digits = "".join(c for c in number if c.isdigit())
    return f"https://wa.me/{digits}" + (
        f"?{urlencode({'text': message}, quote_via=quote)}" if message else ""
    )


# A second identical chat opened this soon (a double click, a retry) is the same conversation.
WHATSAPP_SAME_WITHIN = timedelta(minutes=10)


@transaction.atomic
def whatsapp_open(
    *, by: User, person, number: str, message: str = "", campaign=None, remember_template: str | None = None
) -> tuple[Activity, str]:
    """Record a WhatsApp conversation opened with one of the person's numbers on their
    timeline, and give the address that opens it. The message's placeholders are filled
    as in the user's template; the same message to the same number again within a few
    minutes is recorded once. ``remember_template``: the user's new message template."""
    if number not in {person.phone, person.mobile} or not number:
        raise ValidationError({"number": _("Choose one of this person's numbers.")})
    if remember_template is not None:
        core.user_set_whatsapp_template(user=by, template=remember_template)
    text = whatsapp_message(template=message, person=person, agent=by)
    subject = _("WhatsApp to %(number)s") % {"number": format_phone(number, "OT")}
    activity = (
        Activity.objects.filter(
            kind=Activity.Kind.WHATSAPP,
            person=person,
            owner=by,
            subject=subject,
            detail=text.strip(),
            created_at__gte=timezone.now() - WHATSAPP_SAME_WITHIN,
        )
        .order_by("-created_at")
        .first()
    )
    if activity is None:
        activity, _follow_up = activity_log(
            by=by, kind=Activity.Kind.WHATSAPP, subject=subject, detail=text, person=person, campaign=campaign
        )
    return activity, whatsapp_url(number, text)


# Incoming mail: mailboxes and the Inbox ----------------------------------------

MAILBOX_FIELDS = ("address", "host", "port", "use_ssl", "username", "folder", "active")


def mailbox_save(*, by: User, mailbox: Mailbox | None, team: bool, password: str = "", **fields) -> Mailbox:
    """Connect a mailbox (the user's own, or the team's shared one: administrators) or change
    it; it must sign in with what was typed. The password is kept encrypted; left empty on a
    change, the saved one stays."""
    from activities import imap

    if team and not access.is_admin(by):
        raise ValidationError(_("Only administrators connect the team's mailbox."))
    mailbox = mailbox or Mailbox(user=None if team else by)
    for name in MAILBOX_FIELDS:
        if name in fields:
            setattr(mailbox, name, fields[name])
    if password:
        mailbox.password_encrypted = passwords.hide(password)
    if not mailbox.password_encrypted:
        raise ValidationError({"password": _("Type the mailbox's password (an app password).")})
    full_clean(mailbox, exclude=["password_encrypted"])
    try:
        with imap.connect(mailbox):
            pass
    except outbound.Refused as error:  # an internal address: said next to the server
        raise ValidationError({"host": error.messages}) from None
    except Exception as error:  # whatever the server or the network says, shown to the user
        raise ValidationError(
            _("The CRM could not sign in to this mailbox: %(error)s") % {"error": str(error)[:300]}
        ) from error
    mailbox.error = ""
    mailbox.save()
    return mailbox


@transaction.atomic
def mailbox_delete(*, mailbox: Mailbox, by: User) -> None:
    mailbox.delete()


@transaction.atomic
def inbound_file(*, inbound: InboundEmail, person, by: User) -> None:
    """File a waiting message on a person the user may work."""
    inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status != InboundEmail.Status.WAITING:
        raise ValidationError(_("This message has already been dealt with."))
    from activities import filing

    filing.file(inbound=inbound, people=[person], by=by)


@transaction.atomic
def inbound_to_prospect(*, inbound: InboundEmail, by: User, first_name: str, last_name: str = ""):
    """A new prospect of the user's from a waiting message's sender, the message on their
    timeline."""
    person = intake.prospect(
        by=by, owner=by, first_name=first_name, last_name=last_name, email=inbound.from_email, source="email"
    )
    inbound_file(inbound=inbound, person=person, by=by)
    return person


@transaction.atomic
def inbound_dismiss(*, inbound: InboundEmail, by: User) -> None:
    InboundEmail.objects.filter(pk=inbound.pk, status=InboundEmail.Status.WAITING).update(
        status=InboundEmail.Status.DISMISSED
    )
