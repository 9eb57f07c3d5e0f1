"""The morning digest of reminders (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from activities.models import DigestSent
from crm import access, team
from crm.models import User
from crm.tasks import after, on_worker_start, recurring

logger = logging.getLogger(__name__)
DIGEST_HOUR = time(7, 0)
DIGEST_NOTIFICATIONS = 30
TASK_PATH = "activities.tasks.send_reminder_digest"


def next_digest_time(now: datetime | None = None) -> datetime:
    """Tomorrow's (or today's, if still ahead) digest hour, local time."""
    now = timezone.localtime(now or timezone.now())
    candidate = now.replace(hour=DIGEST_HOUR.hour, minute=DIGEST_HOUR.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def digest_for(user: User, day) -> int:
    """Mail ``user`` their due and overdue reminders and unread notifications, once per ``day``.
    Returns how many reminders and notifications the mail told of (0: nothing sent)."""
    end_of_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    reminders = list(
        access.my_reminders(user)
        .filter(due_at__lt=end_of_day)
        .select_related("person", "company")
        .order_by("due_at", "id")[:200]
    )
    unread = access.notifications(user).filter(read_at=None).order_by("-created_at", "-id")
    unread_count = unread.count()
    if not (reminders or unread_count) or not user.email:
        return 0
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, day=day, reminders=len(reminders))
            with team.speaking_as(user):
                context = {
                    "user": user,
                    "reminders": reminders,
                    "unread": list(unread[:DIGEST_NOTIFICATIONS]),
                    "unread_count": unread_count,
                    "day": day,
                    "now": timezone.now(),
                }
                subject = render_to_string("activities/digest_subject.txt", context).strip()
                body = render_to_string("activities/digest.txt", context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return 0  # already sent today, by another run
    except (OSError, smtplib.SMTPException):
        # Nothing recorded: the next run tries this user again.
        logger.warning("reminder digest for user %s could not be sent", user.pk, exc_info=True)
        return 0
    return len(reminders) + unread_count


@recurring(next_digest_time)
def send_reminder_digest() -> dict:
    """Email every active user their due and overdue reminders (every day at the digest hour)."""
    from activities import notifications

    notifications.age_out()
    day = timezone.localdate()
    users = sent = 0
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk").iterator():
        count = digest_for(user, day)
        if count:
            users += 1
            sent += count
    return {"users": users, "reminders": sent}


plan_digest = on_worker_start(send_reminder_digest, "Daily reminder digest planned.", first=next_digest_time)


@task()
def deliver_email(email_id: int) -> str:
    """Send one email written from the CRM (activities.services.email_deliver)."""
    from activities.services import email_deliver

    return email_deliver(email_id=email_id).status


@task()
def deliver_whatsapp(message_id: int) -> str:
    """Send one WhatsApp message through the Cloud API (activities.whatsapp.deliver)."""
    from activities.whatsapp import deliver

    return deliver(message_id=message_id).status


# Incoming mail: every mailbox checked every MAIL_POLL_SECONDS.


@recurring(after("MAIL_POLL_SECONDS"))
def poll_mailboxes() -> dict:
    """Check every active mailbox (activities.imap.check_all), every MAIL_POLL_SECONDS."""
    from activities import imap

    return {str(k): v for k, v in imap.check_all().items()}


plan_polling = on_worker_start(poll_mailboxes, "Mailbox checks planned.")
