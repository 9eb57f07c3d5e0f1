"""What customers write to the team: the mailboxes the CRM reads (IMAP) and the messages
that came in through them, filed on timelines or waiting in the Inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mailbox(models.Model):
    """An IMAP mailbox the worker reads: a user's own, or the team's shared address (no user)
    to which agents BCC or forward. The password is kept encrypted (messaging.secrets)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mailbox",
    )
    address = models.EmailField(_("address"))
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS connection"), default=True)
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    active = models.BooleanField(_("active"), default=True)
    uidvalidity = models.BigIntegerField(null=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    checked_at = models.DateTimeField(_("last checked"), null=True, editable=False)
    error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(user=None), name="messaging_one_team_mailbox"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class InboundEmail(models.Model):
    """A message read from a mailbox, once whatever mailbox it came through (Message-ID):
    filed on the timelines of the people it concerns, or waiting in the Inbox."""

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("inbound email", "Waiting")
        FILED = "filed", pgettext_lazy("inbound email", "Filed")
        DISMISSED = "dismissed", pgettext_lazy("inbound email", "Dismissed")

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.SET_NULL, null=True, related_name="messages"
    )
    message_id = models.CharField(_("message id"), max_length=255, unique=True)
    in_reply_to = models.TextField(blank=True)  # In-Reply-To and References, one id per line
    from_email = models.CharField(_("from"), max_length=320)
    from_name = models.CharField(_("name"), max_length=200, blank=True)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    raw = models.BinaryField()  # for its attachments when it is filed from the Inbox
    sent_at = models.DateTimeField(_("date"))
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.WAITING)
    filed_on = models.PositiveIntegerField(default=0)  # how many people's timelines
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        indexes = [
            models.Index(
                fields=["mailbox", "-sent_at", "-id"],
                name="messaging_inbox_idx",
                condition=Q(status="waiting"),
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id

    def get_absolute_url(self) -> str:
        return reverse("messaging:inbox_message", args=[self.pk])
