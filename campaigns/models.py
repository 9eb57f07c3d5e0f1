from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm import links, team
from crm.currency import CURRENCIES
from crm.history import tracked
from people.models import Person, search_document


class CampaignQuerySet(models.QuerySet):
    def with_status(self, status: str, today=None) -> CampaignQuerySet:
        """Status is derived from the dates: planned, running or finished."""
        today = today or timezone.localdate()
        if status == Campaign.Status.PLANNED:
            return self.filter(starts_on__gt=today)
        if status == Campaign.Status.RUNNING:
            return self.filter(starts_on__lte=today, ends_on__gte=today)
        if status == Campaign.Status.FINISHED:
            return self.filter(ends_on__lt=today)
        return self


@tracked("search")
class Campaign(models.Model):
    """A promotion of a product or service over a period (seed 000, section 4)."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("campaign status", "Planned")
        RUNNING = "running", pgettext_lazy("campaign status", "Running")
        FINISHED = "finished", pgettext_lazy("campaign status", "Finished")

    name = models.CharField(_("name"), max_length=200)
    product = models.ForeignKey(
        "opportunities.Product",
        verbose_name=_("catalog product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    product_name = models.CharField(_("product or service"), max_length=200)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default=team.currency)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        db_index=False,  # the first column of campaigns_owner_idx
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search = models.GeneratedField(
        expression=search_document("name", "product_name"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaigns_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="campaigns_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="campaigns_created_idx"),
            models.Index(fields=["owner", "-created_at"], name="campaigns_owner_idx"),
            models.Index(fields=["starts_on", "ends_on"], name="campaigns_dates_idx"),
            GinIndex(fields=["search"], name="campaigns_search_gin"),
        ]
        permissions = [("export_campaign", _("Can export campaign members"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.path("campaigns:detail", self.pk)

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if today < self.starts_on:
            return self.Status.PLANNED
        if today > self.ends_on:
            return self.Status.FINISHED
        return self.Status.RUNNING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


@tracked()
class CampaignMember(models.Model):
    """A person in a campaign, worked by an agent."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("campaign member status", "New")
        CONTACTED = "contacted", _("Contacted")
        INTERESTED = "interested", _("Interested")
        NOT_INTERESTED = "not_interested", _("Not interested")
        CONVERTED = "converted", _("Converted to client")

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="members",
        db_index=False,  # the first column of campaigns_member_agent_idx
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="campaign_memberships"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="campaign_members",
        db_index=False,  # the first column of campaigns_agent_campaign_idx
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="campaigns_one_member_per_person")
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="campaigns_member_status_idx"),
            # A campaign's page of members, newest first, read in order: its first fifty
            # without sorting all of a 5,000-member campaign's rows (14 ms).
            models.Index(fields=["campaign", "-created_at", "-id"], name="campaigns_member_newest_idx"),
            models.Index(fields=["campaign", "agent", "-created_at"], name="campaigns_member_agent_idx"),
            models.Index(fields=["agent", "campaign"], name="campaigns_agent_campaign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.campaign}"

    def get_absolute_url(self) -> str:
        return links.path("campaigns:member", self.campaign_id, self.pk)


def new_form_token() -> str:
    return secrets.token_urlsafe(12)


class LeadForm(models.Model):
    """A web form that adds prospects (seed 001): a hosted page and an HTML
    snippet to paste on a website."""

    OPTIONAL_FIELDS = [
        ("last_name", _("Last name")),
        ("phone", _("Phone")),
        ("company", _("Company")),
        ("city", _("City")),
        ("message", _("Message")),
    ]

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(max_length=32, unique=True, default=new_form_token, editable=False)
    fields = models.JSONField(_("fields to show"), default=list, blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents in turn"), blank=True, related_name="+"
    )
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("default owner"), on_delete=models.PROTECT, related_name="+"
    )
    next_turn = models.PositiveIntegerField(default=0, editable=False)
    tags = models.ManyToManyField("people.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_forms",
    )
    thank_you = models.CharField(
        _("thank-you message"), max_length=300, default=_("Thank you! We will contact you soon.")
    )
    active = models.BooleanField(_("active"), default=True)
    # A required checkbox with this text (empty: none); ticking it records the visitor's
    # consent to sales contact by email, phone and WhatsApp (and marketing, if said).
    consent_text = models.CharField(
        _("consent checkbox"),
        max_length=500,
        blank=True,
        help_text=_("The text next to a checkbox the visitor must tick; kept with each submission."),
    )
    consent_marketing = models.BooleanField(
        _("the checkbox also covers marketing"), default=False, db_default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead form")
        verbose_name_plural = _("lead forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.path("campaigns:leadform_edit", self.pk)


class LeadSubmission(models.Model):
    """Every submission of a lead form, with its address: the rate limit and
    an audit of what came in."""

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="submissions")
    ip = models.GenericIPAddressField(null=True)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted = models.BooleanField(default=True)
    # The consent checkbox's text as the visitor saw it and ticked it.
    consent_text = models.CharField(max_length=500, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "-created_at"], name="campaigns_lead_ip_idx")]

    def __str__(self) -> str:
        return f"{self.form_id} {self.ip} {self.created_at:%Y-%m-%d %H:%M}"


class Mailing(models.Model):
    """One email template sent to many people at once (the members of a campaign, or who a
    tag or a saved list of People names), throttled by the task worker (campaigns.mailings)."""

    class Status(models.TextChoices):
        SENDING = "sending", pgettext_lazy("mailing status", "Sending")
        DONE = "done", pgettext_lazy("mailing status", "Done")

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailings",
        db_index=False,  # the first column of campaigns_mailing_campaign_idx
    )
    audience = models.CharField(_("to"), max_length=300)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=10000)
    base_url = models.CharField(max_length=300)  # for the unsubscribe links, from the request
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.SENDING)
    total = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of campaigns_mailing_by_idx
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign email")
        verbose_name_plural = _("campaign emails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "-created_at"], name="campaigns_mailing_campaign_idx"),
            models.Index(fields=["created_by", "-created_at"], name="campaigns_mailing_by_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return links.path("campaigns:mailing", self.pk)


class MailingRecipient(models.Model):
    """One person of a mailing: still to write, skipped (and why), or written (their email,
    whose status says sent or failed)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("mailing recipient", "Waiting")
        WRITTEN = "written", pgettext_lazy("mailing recipient", "Written")
        UNSUBSCRIBED = "unsubscribed", pgettext_lazy("mailing recipient", "Skipped: unsubscribed")
        NO_ADDRESS = "no_address", pgettext_lazy("mailing recipient", "Skipped: no email address")
        NO_CONSENT = (
            "no_consent",
            pgettext_lazy("mailing recipient", "Skipped: no consent to marketing email"),
        )

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )  # the first column of campaigns_recipient_status_idx
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    email = models.OneToOneField(
        "activities.Email", verbose_name=_("email"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["mailing", "person"], name="campaigns_mailing_once")]
        indexes = [models.Index(fields=["mailing", "status", "id"], name="campaigns_recipient_status_idx")]

    def __str__(self) -> str:
        return f"{self.mailing_id} {self.person_id}"
