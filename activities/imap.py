"""Reading the mailboxes (IMAP, imap-tools): each check files what arrived since the last
one, by UID; a mailbox read for the first time gives its last MAIL_BACKFILL_DAYS. Where the
server supports IDLE, `manage.py mail_listen` waits on each mailbox and reads as soon as the
server says something arrived; the task worker's polling covers the rest. One mailbox failing
(a wrong password, a server down) is written on it and never stops the others."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from imap_tools import AND, MailBox, MailBoxUnencrypted

from activities import filing, notifications, passwords
from activities.models import Mailbox
from crm import outbound

logger = logging.getLogger(__name__)
FETCH_BATCH = 50


def connect(mailbox: Mailbox):
    """A signed-in connection to ``mailbox``'s folder (a context manager), to a public server
    only (crm.outbound.check_host), checked again at every connection."""
    outbound.check_host(mailbox.host, mailbox.port)
    kind = MailBox if mailbox.use_ssl else MailBoxUnencrypted
    client = kind(mailbox.host, mailbox.port, timeout=settings.MAIL_TIMEOUT)
    return client.login(mailbox.username, passwords.reveal(mailbox.password_encrypted), mailbox.folder)


def read_new(mailbox: Mailbox, client) -> int:
    """File what arrived in ``mailbox`` since its last check, through ``client``; returns
    how many messages were new to the CRM."""
    status = client.folder.status(mailbox.folder, ["UIDVALIDITY"])
    if mailbox.uidvalidity != status["UIDVALIDITY"]:
        # First read, or the server renumbered the folder: what the last days brought
        # (a message already read is recognised by its Message-ID).
        mailbox.uidvalidity, mailbox.last_uid = status["UIDVALIDITY"], 0
        since = (timezone.now() - timedelta(days=settings.MAIL_BACKFILL_DAYS)).date()
        criteria = AND(date_gte=since)
    else:
        criteria = AND(uid=f"{mailbox.last_uid + 1}:*")
    new, ours = 0, filing.team_addresses()
    for message in client.fetch(criteria, mark_seen=False, bulk=FETCH_BATCH):
        uid = int(message.uid or 0)
        if uid <= mailbox.last_uid:  # "n:*" always names the newest message
            continue
        if filing.receive(raw=message.obj.as_bytes(), mailbox=mailbox, ours=ours) is not None:
            new += 1
        mailbox.last_uid = uid
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=mailbox.uidvalidity, last_uid=uid)
    _checked(mailbox, error="")
    return new


def _checked(mailbox: Mailbox, error: str) -> None:
    if error and not mailbox.error:  # it worked until now: its owner and the admins are told
        notifications.failing(
            text=lambda: _("The mailbox %(address)s cannot be read") % {"address": mailbox.address},
            url=reverse("activities:team_mailbox" if mailbox.user_id is None else "activities:mailbox"),
            detail=error,
            also=[mailbox.user_id],
        )
    mailbox.checked_at, mailbox.error = timezone.now(), error[:1000]
    Mailbox.objects.filter(pk=mailbox.pk).update(
        checked_at=mailbox.checked_at, error=mailbox.error, uidvalidity=mailbox.uidvalidity
    )


def check(mailbox: Mailbox) -> int:
    """Connect, file what is new, disconnect. A failure is written on the mailbox."""
    try:
        with connect(mailbox) as client:
            return read_new(mailbox, client)
    except Exception as error:  # any failure of one mailbox: recorded, the others go on
        logger.warning("mailbox %s: %s", mailbox.pk, error)
        _checked(mailbox, error=str(error) or error.__class__.__name__)
        return 0


def check_all() -> dict[int, int]:
    """Every active mailbox checked in turn: {mailbox id: new messages}."""
    return {mailbox.pk: check(mailbox) for mailbox in Mailbox.objects.filter(active=True).order_by("pk")}


def listen(
    mailbox: Mailbox, stop: threading.Event, *, wake_seconds: float = 30, retry_seconds: float = 60
) -> None:
    """Read ``mailbox`` as messages arrive, until ``stop`` is set: in IDLE the server wakes us
    when something arrives (and every ``wake_seconds`` we look anyway); a server without IDLE
    is left to the worker's polling. A lost connection is tried again after ``retry_seconds``."""
    while not stop.is_set():
        try:
            with connect(mailbox) as client:
                read_new(mailbox, client)
                if "IDLE" not in client.client.capabilities:
                    return
                while not stop.is_set():
                    client.idle.wait(timeout=wake_seconds)
                    read_new(mailbox, client)
        except Exception as error:  # recorded on the mailbox; tried again after a while
            logger.warning("mailbox %s: %s", mailbox.pk, error)
            _checked(mailbox, error=str(error) or error.__class__.__name__)
            stop.wait(retry_seconds)
