"""Activities: what is done or planned with people and companies (reminders are
planned activities), their categories, and the morning digest's bookkeeping.

The tables keep the names they had when these models lived in ``crm``."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm import links
from crm.history import tracked

# An agenda entry lasts from five minutes to a week.
MIN_DURATION, MAX_DURATION = 5, 7 * 24 * 60


class Category(models.Model):
    """A category that classifies activities (seed 003, "Configurar Categorías")."""

    name = models.CharField(_("name"), max_length=80)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        db_table = "crm_category"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="crm_category_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


@tracked(db_table="crm_activityhistory")
class Activity(models.Model):
    """Something done or planned with a person or company. A planned activity
    (``due_at`` set, ``done_at`` empty) is a reminder."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")
        TASK = "task", _("Task")
        WHATSAPP = "whatsapp", _("WhatsApp")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # the first column of crm_activity_person_idx
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # the first column of crm_activity_company_idx
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # the first column of crm_activity_campaign_idx
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # the first column of crm_activity_opportunity_idx
    )
    service_order = models.ForeignKey(
        "serviceorders.ServiceOrder",
        verbose_name=_("service order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # the first column of crm_activity_order_idx
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,  # the first column of crm_activity_owner_idx
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # How long a planned activity takes in the agenda (minutes).
    duration = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=30,
        db_default=30,
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)],
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # Written by the customer (an email or a WhatsApp message that came in), and what it answers.
    received = models.BooleanField(_("received"), default=False, db_default=False)
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "crm_activity"
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        permissions = [("export_activity", _("Can export activities"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(company__isnull=False),
                name="crm_activity_person_or_company",
                violation_error_message=_("An activity belongs to a person or a company."),
            ),
            models.CheckConstraint(
                condition=Q(duration__gte=MIN_DURATION, duration__lte=MAX_DURATION),
                name="crm_activity_duration_bounds",
            ),
        ]
        indexes = [
            # Reminders: open planned activities by due date, per owner and overall.
            models.Index(
                fields=["owner", "due_at", "id"],
                name="crm_reminder_owner_due_idx",
                condition=Q(done_at=None, due_at__isnull=False),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="crm_reminder_due_idx",
                condition=Q(done_at=None, due_at__isnull=False),
            ),
            # The agenda (activities.agenda): planned activities, done or not, by date.
            models.Index(
                fields=["owner", "due_at"], name="crm_agenda_owner_idx", condition=Q(due_at__isnull=False)
            ),
            models.Index(fields=["due_at"], name="crm_agenda_due_idx", condition=Q(due_at__isnull=False)),
            # The long ones (over an hour), which reach into a range from days before it.
            models.Index(
                fields=["due_at"],
                name="crm_agenda_long_idx",
                condition=Q(due_at__isnull=False, duration__gt=60),
            ),
            # Follow-up: an owner's activities by date.
            models.Index(fields=["owner", "-created_at", "-id"], name="crm_activity_owner_idx"),
            # Timelines.
            models.Index(fields=["person", "-done_at", "-id"], name="crm_activity_person_idx"),
            models.Index(fields=["company", "-done_at", "-id"], name="crm_activity_company_idx"),
            models.Index(fields=["campaign", "person", "-done_at"], name="crm_activity_campaign_idx"),
            models.Index(fields=["opportunity", "-done_at"], name="crm_activity_opportunity_idx"),
            models.Index(fields=["service_order", "-done_at"], name="crm_activity_order_idx"),
            # Activities of a kind done over a period, per agent (the goals): read from the index.
            models.Index(
                fields=["kind", "done_at"],
                include=["owner"],
                name="act_done_kind_idx",
                condition=Q(done_at__isnull=False, received=False),
            ),
            # What customers wrote (the answers an automation listens for), by date.
            models.Index(fields=["-done_at"], name="act_received_idx", condition=Q(received=True)),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_reminder(self) -> bool:
        return self.due_at is not None and self.done_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_reminder and self.due_at < timezone.now()

    @property
    def icon(self) -> str:
        return ACTIVITY_ICONS.get(self.kind, "dot")

    def as_text(self) -> str:
        """The activity as plain text, for copying into another application."""
        parts = [f"{self.get_kind_display()}: {self.subject}"]
        when = self.done_at or self.due_at or self.created_at
        parts.append(timezone.localtime(when).strftime("%Y-%m-%d %H:%M"))
        related = ", ".join(str(r) for r in (self.person, self.company) if r is not None)
        if related:
            parts.append(related)
        if self.detail:
            parts.append(self.detail)
        return "\n".join(parts)


ACTIVITY_ICONS = {
    "call": "telephone",
    "email": "envelope",
    "visit": "geo-alt",
    "meeting": "people",
    "note": "sticky",
    "task": "check2-square",
    "whatsapp": "whatsapp",
}


class Notification(models.Model):
    """Something a user should know (activities.notifications): written in their language
    when it happens, linking to its record; read or not. Old ones age out."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        GIVEN = "given", _("Given to you")
        LEAD = "lead", _("New lead")
        CARD = "card", _("Card you follow")
        ORDER = "order", _("Service order")
        JOB = "job", _("Import or export")
        EXPORT = "export", _("Large export of personal data")
        FAILING = "failing", _("Needs attention")
        AUTOMATION = "automation", _("Automation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )  # the first column of activities_notif_user_idx
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("notification"), max_length=300)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="activities_notif_user_idx"),
            models.Index(fields=["user"], name="activities_notif_unread_idx", condition=Q(read_at=None)),
            models.Index(fields=["created_at"], name="activities_notif_age_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def icon(self) -> str:
        return NOTIFICATION_ICONS.get(self.kind, "bell")


NOTIFICATION_ICONS = {
    "mention": "at",
    "given": "person-check",
    "lead": "person-plus",
    "card": "kanban",
    "order": "tools",
    "job": "file-earmark-arrow-down",
    "failing": "exclamation-triangle",
    "automation": "lightning-charge",
    "export": "shield-lock",
}


class DigestSent(models.Model):
    """One reminder digest per user and day: the daily task may run twice
    without mailing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the first column of crm_digest_once_a_day
    day = models.DateField()
    reminders = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crm_digestsent"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="crm_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class Email(models.Model):
    """An email written from the CRM (activities.mail): the whole message, kept with its
    timeline entry, and how its sending went. The task worker sends it through SMTP."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("email status", "Queued")
        SENT = "sent", pgettext_lazy("email status", "Sent")
        FAILED = "failed", pgettext_lazy("email status", "Failed")

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="email")
    message_id = models.CharField(_("message id"), max_length=255, unique=True)
    from_email = models.CharField(_("from"), max_length=320)
    reply_to = models.CharField(_("reply to"), max_length=320, blank=True)
    to = models.TextField(_("to"))  # addresses, one per line
    cc = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    headers = models.JSONField(_("headers"), default=dict, blank=True)  # List-Unsubscribe…
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of act_email_by_idx
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="act_email_by_idx")]

    def __str__(self) -> str:
        return self.subject


class OutboxMessage(models.Model):
    """A message the embedded mail server received (`manage.py mail_outbox`, under `make run`
    and in tests): what the CRM "sent" without a real mail server, for the Outbox page."""

    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    mail_from = models.CharField(_("from"), max_length=320)
    recipients = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True, db_index=True)
    raw = models.BinaryField(_("message"))

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["-received_at", "-id"], name="act_outbox_recent_idx")]

    def __str__(self) -> str:
        return self.subject

    def parsed(self):
        """The message as the standard library reads it (email.message.EmailMessage)."""
        from activities.mail import parse

        return parse(bytes(self.raw))


class EmailAttachment(models.Model):
    """A file sent with an email (a quote's PDF, a record's attachment), kept with it."""

    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    file = models.FileField(_("file"), upload_to="mail/%Y/%m/")
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("email attachment")
        verbose_name_plural = _("email attachments")

    def __str__(self) -> str:
        return self.name


class EmailTemplate(models.Model):
    """A message written once and sent many times (activities.placeholders fill it in): the
    team's, kept by administrators, or a user's own."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="es")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=10000)
    # Empty: a team template, which every user may use.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_templates",
        db_index=False,  # the first column of act_template_owner_idx
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["name", "language", "pk"]
        indexes = [models.Index(fields=["owner", "name"], name="act_template_owner_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_language_display()})"

    @property
    def is_team(self) -> bool:
        return self.owner_id is None


class WhatsAppMessage(models.Model):
    """A message through the WhatsApp Business Cloud API, sent from the CRM or received by its
    webhook, with its timeline activity; the API's statuses (sent, delivered, read, failed)
    update it."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("whatsapp status", "Queued")
        SENT = "sent", pgettext_lazy("whatsapp status", "Sent")
        DELIVERED = "delivered", pgettext_lazy("whatsapp status", "Delivered")
        READ = "read", pgettext_lazy("whatsapp status", "Read")
        FAILED = "failed", pgettext_lazy("whatsapp status", "Failed")
        RECEIVED = "received", pgettext_lazy("whatsapp status", "Received")

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="whatsapp")
    wa_id = models.CharField(_("message id"), max_length=128, unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    body = models.TextField(_("message"), blank=True)
    template = models.CharField(_("template"), max_length=512, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("WhatsApp message")
        verbose_name_plural = _("WhatsApp messages")

    def __str__(self) -> str:
        return self.wa_id or str(self.pk)


class Mailbox(models.Model):
    """An IMAP mailbox the worker reads: a user's own, or the team's shared address (no user)
    to which agents BCC or forward. The password is kept encrypted (activities.passwords)."""

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
                fields=["user"], condition=Q(user=None), name="activities_one_team_mailbox"
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
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        indexes = [
            models.Index(
                fields=["mailbox", "-sent_at", "-id"],
                name="activities_inbox_idx",
                condition=Q(status="waiting"),
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id

    def get_absolute_url(self) -> str:
        return links.path("activities:inbox_message", self.pk)
