from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.models import Company
from crm import links, team
from crm.currency import CURRENCIES
from crm.history import tracked
from crm.models import Event
from people.models import Color, Person, Tag, search_document


class Pipeline(models.Model):
    """A board of opportunities (seed 002: a "CRM" per region or sales type),
    seen by its members and by managers and admins."""

    name = models.CharField(_("name"), max_length=100)
    color = models.CharField(_("color"), max_length=10, choices=Color.choices, default=Color.BLUE)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="pipelines"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.path("opportunities:board", self.pk)


@tracked()
class BaseCard(models.Model):
    """What every new card of a board starts with (seed 002 "Cartões Base"):
    a description, tags and members, set by administrators."""

    pipeline = models.OneToOneField(
        Pipeline, verbose_name=_("board"), on_delete=models.CASCADE, related_name="base_card"
    )
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("base card")
        verbose_name_plural = _("base cards")

    def __str__(self) -> str:
        return str(self.pipeline)


class Stage(models.Model):
    pipeline = models.ForeignKey(
        Pipeline,
        verbose_name=_("board"),
        on_delete=models.CASCADE,
        related_name="stages",
        db_index=False,  # the first column of opps_stage_position_idx
    )
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    color = models.CharField(_("color"), max_length=10, choices=Color.choices, default=Color.GRAY)
    stagnant_days = models.PositiveIntegerField(
        _("stagnant after (days)"),
        null=True,
        blank=True,
        help_text=_("Cards without changes for longer are highlighted. Empty: never."),
    )
    # The forecast weighs a stage's open cards by it (reports' forecast).
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        default=0,
        db_default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How likely a card in this stage is to be won, for the forecast."),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        indexes = [models.Index(fields=["pipeline", "position"], name="opps_stage_position_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="opps_stage_probability_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.name


@tracked("search")
class Opportunity(models.Model):
    """A possible sale or service for a company and its contact (seed 000
    section 5, seed 003 "Oportunidades"), a card on a board."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("opportunity status", "New")
        WAITING = "waiting", _("Waiting")
        WORKING = "working", _("Working")
        CLOSED = "closed", _("Closed (won)")
        LOST = "lost", _("Lost")

    class Type(models.TextChoices):
        NEW_SALE = "new_sale", _("New sale")
        UPSELL = "upsell", _("More for a client")
        RENEWAL = "renewal", _("Renewal")
        SERVICE = "service", _("Service")

    pipeline = models.ForeignKey(
        Pipeline,
        verbose_name=_("board"),
        on_delete=models.PROTECT,
        related_name="opportunities",
        db_index=False,  # the first column of opps_board_status_idx
    )
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        related_name="opportunities",
        db_index=False,  # the first column of opps_board_column_idx
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        db_index=False,  # the first column of opps_company_idx
    )
    contact = models.ForeignKey(
        Person,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.NEW_SALE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="opportunities",
        db_index=False,  # the first column of opps_agent_status_idx
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    observations = models.TextField(_("observations"), blank=True)
    source = models.CharField(
        _("how did you find us"), max_length=20, choices=Person.Source.choices, blank=True
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default=team.currency)
    expected_close_on = models.DateField(_("expected close"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    lost_reason = models.TextField(_("why lost"), blank=True)
    improvement = models.TextField(_("what can we improve"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="opportunities")
    # Users who follow the card besides its agent (seed 002 "Membros"): they
    # see it on the board and get its reminders.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="followed_opportunities",
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    # When it was closed (won) or lost: the dashboard's won-vs-lost over time.
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Values of the custom fields administrators add (crm.custom_fields).
    custom = models.JSONField(_("custom fields"), default=dict, blank=True, db_default={})
    search = models.GeneratedField(
        expression=search_document("subject", "invoice_number"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "contact"],
                condition=Q(contact__isnull=False, archived=False) & ~Q(status__in=["closed", "lost"]),
                name="opps_one_open_card_per_person_per_board",
                violation_error_message=_("This person already has an open card on this board."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="opps_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "position", "id"], name="opps_board_column_idx"),
            models.Index(fields=["pipeline", "status", "archived"], name="opps_board_status_idx"),
            # The board's column totals (count and amount by stage and currency) from the index alone.
            models.Index(
                fields=["pipeline", "stage", "currency"],
                include=["amount", "status", "archived"],
                name="opps_board_totals_idx",
            ),
            models.Index(fields=["agent", "status"], name="opps_agent_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="opps_created_idx"),
            models.Index(fields=["company"], name="opps_company_idx"),
            models.Index(fields=["status", "decided_at"], name="opps_decided_idx"),
            # Automations: the open cards of a stage by how long they have been idle.
            models.Index(
                fields=["stage", "updated_at"],
                name="opps_idle_idx",
                condition=Q(archived=False) & ~Q(status__in=["closed", "lost"]),
            ),
            GinIndex(fields=["search"], name="opps_search_gin"),
            GinIndex(fields=["custom"], name="opps_custom_gin", opclasses=["jsonb_path_ops"]),
        ]
        permissions = [("export_opportunity", _("Can export opportunities"))]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return links.path("opportunities:detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.LOST)

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.created_at).days

    def is_stagnant(self, now: datetime.datetime | None = None) -> bool:
        """Idle (no change) for longer than its stage allows (seed 002: orange)."""
        return is_stagnant(
            stagnant_days=self.stage.stagnant_days,
            status=self.status,
            archived=self.archived,
            updated_at=self.updated_at,
            now=now or timezone.now(),
        )


def is_stagnant(*, stagnant_days, status: str, archived: bool, updated_at, now) -> bool:
    """An open, unarchived card unchanged for longer than its stage's stagnant days."""
    if not stagnant_days or status in (Opportunity.Status.CLOSED, Opportunity.Status.LOST) or archived:
        return False
    return now - updated_at > datetime.timedelta(days=stagnant_days)


class OpportunityEvent(Event):
    """Every movement of an opportunity: stage and status changes, comments,
    with who and when (seed 003 "Historial")."""

    record_field = "opportunity"

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STAGE = "stage", _("Moved")
        STATUS = "status", _("Follow-up")
        COMMENT = "comment", _("Comment")
        EDITED = "edited", _("Edited")
        ARCHIVED = "archived", _("Archived")
        UNARCHIVED = "unarchived", _("Back from the archive")
        LINES = "lines", _("Products")
        QUOTE = "quote", _("Quote")
        SERVICE = "service", _("Service order")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # the first column of opps_event_opp_idx
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    old_value = models.CharField(_("before"), max_length=200, blank=True)
    new_value = models.CharField(_("after"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta(Event.Meta):
        verbose_name = _("opportunity event")
        verbose_name_plural = _("opportunity events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["opportunity", "-at", "-id"], name="opps_event_opp_idx"),
            models.Index(fields=["-at", "-id"], name="opps_event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.kind}"

    def as_text(self) -> str:
        when = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M")
        change = " → ".join(v for v in (self.old_value, self.new_value) if v)
        parts = [when, str(self.by), str(self.get_kind_display()), change, self.comment]
        return " · ".join(p for p in parts if p)


class SavedFilter(models.Model):
    """A user's named board filter (seed 002 "Salvar Filtros")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", db_index=False
    )  # the first column of opps_saved_filter_unique
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "pipeline", "name"], name="opps_saved_filter_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """The catalog of products and services (seed 000 "Catálogos")."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default=team.currency)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="opps_product_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


def _line_total(quantity, unit_price, discount) -> Decimal:
    total = Decimal(quantity) * Decimal(unit_price) * (Decimal(100) - Decimal(discount)) / Decimal(100)
    return total.quantize(Decimal("0.01"))


class LineMixin(models.Model):
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        abstract = True

    @property
    def total(self) -> Decimal:
        return _line_total(self.quantity, self.unit_price, self.discount)


LINE_CHECKS = (
    Q(quantity__gt=0),
    Q(unit_price__gte=0),
    Q(discount__gte=0, discount__lte=100),
)


class OpportunityLine(LineMixin):
    """A product with quantity, price and discount on an opportunity; the
    opportunity's amount follows its lines when it has any."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=check, name=f"opps_line_check_{index}")
            for index, check in enumerate(LINE_CHECKS)
        ]

    def __str__(self) -> str:
        return self.description


class Quote(models.Model):
    """A quote for an opportunity (seed 000 "Cotizaciones"): its lines are a
    copy of the opportunity's when it was made."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    number = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="quotes"
    )
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default=team.currency)
    tax_name = models.CharField(_("tax name"), max_length=20, blank=True)
    tax_rate = models.DecimalField(_("tax %"), max_digits=5, decimal_places=2, default=18)
    notes = models.TextField(_("notes"), blank=True)
    # The team's terms when the quote was made (Team settings): a quote keeps what it promised.
    terms = models.TextField(_("terms"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="opps_quote_tax_0_100"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issued_on")),
                name="opps_quote_valid_after_date",
                violation_error_message=_("The quote cannot expire before its date."),
            ),
        ]

    def __str__(self) -> str:
        return f"Q-{self.number:05d}"

    def get_absolute_url(self) -> str:
        return links.path("quotes:detail", self.pk)

    def totals(self, lines=None) -> dict:
        lines = list(self.lines.all()) if lines is None else lines
        subtotal = sum((line.total for line in lines), Decimal("0.00"))
        tax = (subtotal * self.tax_rate / Decimal(100)).quantize(Decimal("0.01"))
        return {"subtotal": subtotal, "tax": tax, "total": subtotal + tax}


class QuoteLine(LineMixin):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=check, name=f"opps_quote_line_check_{index}")
            for index, check in enumerate(LINE_CHECKS)
        ]

    def __str__(self) -> str:
        return self.description
