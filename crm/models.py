from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.countries import COUNTRIES, CURRENCIES
from crm.history import tracked


class CrmUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        # Django's manager passes is_staff/is_superuser; here both follow the role.
        is_superuser = extra_fields.pop("is_superuser", False)
        extra_fields.pop("is_staff", None)
        if is_superuser:
            extra_fields["role"] = User.Role.ADMIN
        email = self.normalize_email(email)
        user = self.model(username=username, email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields["is_superuser"] = True
        return self._create_user(username, email, password, **extra_fields)


@tracked("password", "last_login", "calendar_token")
class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MANAGER = "manager", _("Manager")
        AGENT = "agent", _("Sales agent")

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("A user with that username already exists.")},
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="es")
    # Where the user works: how the numbers they type without a country code are read, and
    # how money, numbers and dates are written for them. Empty: the team's country.
    country = models.CharField(
        _("country"), max_length=2, choices=COUNTRIES, blank=True, help_text=_("Empty: the team's country.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Importing and exporting are permissions of their own (crm.backends).
    can_import = models.BooleanField(_("may import"), default=True)
    can_export = models.BooleanField(_("may export"), default=True)
    # Secret part of the user's iCalendar feed URL; regenerating it revokes the old URL.
    calendar_token = models.CharField(_("calendar token"), max_length=64, unique=True, null=True, blank=True)
    whatsapp_template = models.TextField(
        _("WhatsApp message template"),
        blank=True,
        help_text=_(
            "Starts every WhatsApp message you open from the CRM: {first_name}, {name} and {agent} are replaced."
        ),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = CrmUserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "username"]
        indexes = [models.Index(fields=["name", "id"], name="crm_user_name_idx")]

    def __str__(self) -> str:
        return self.name or self.username

    # is_superuser and is_staff follow the role (the property replaces
    # PermissionsMixin's field), so there is one truth about who administers:
    # administrators use Django's admin site with every permission.
    @property
    def is_superuser(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def is_agent(self) -> bool:
        return self.role == self.Role.AGENT

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.username


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class ExportJob(models.Model):
    """A spreadsheet export too large to build during the request: the task
    worker writes the file and the page offers it for download."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the first column of crm_export_by_idx
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    source = models.CharField(_("list"), max_length=50)
    params = models.CharField(_("filters"), max_length=2000, blank=True)
    format = models.CharField(_("format"), max_length=5)
    language = models.CharField(max_length=10, default="es")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="crm_export_by_idx")]

    def __str__(self) -> str:
        return self.filename


class Counter(models.Model):
    """Gapless consecutive numbers (project keys, order and quote numbers):
    the row stays locked while a number is taken, so concurrent creations
    never repeat one (crm.numbers.next_number)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def attachment_upload_to(attachment: Attachment, filename: str) -> str:
    """Our own name, never the uploader's: the original is kept in ``name``."""
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file attached to a person, a company, an opportunity or a service order
    (seed 002 "Anexos", seed 003 equipment photos). Stored under the private media
    root; downloaded only through a view that applies the record's access rules."""

    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,
    )
    company = models.ForeignKey(
        "companies.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,
    )
    service_order = models.ForeignKey(
        "serviceorders.ServiceOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    RECORDS = ("person", "company", "opportunity", "service_order")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, company=None, opportunity=None, service_order=None)
                    | Q(person=None, company__isnull=False, opportunity=None, service_order=None)
                    | Q(person=None, company=None, opportunity__isnull=False, service_order=None)
                    | Q(person=None, company=None, opportunity=None, service_order__isnull=False)
                ),
                name="crm_attachment_one_record",
            )
        ]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="crm_attach_person_idx"),
            models.Index(fields=["company", "-created_at"], name="crm_attach_company_idx"),
            models.Index(fields=["opportunity", "-created_at"], name="crm_attach_opp_idx"),
            models.Index(fields=["service_order", "-created_at"], name="crm_attach_order_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def record_field(self) -> str:
        """Which of RECORDS the attachment belongs to."""
        return next(name for name in self.RECORDS if getattr(self, f"{name}_id"))

    @property
    def record(self) -> models.Model:
        return getattr(self, self.record_field)


class BulkOperation(models.Model):
    """One bulk action on a list (crm.bulk): who, what, how many, and what it
    replaced, so that it can be undone for a short while."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the first column of crm_bulk_user_idx
    kind = models.CharField(_("list"), max_length=20)
    action = models.CharField(_("action"), max_length=20)
    value = models.CharField(_("value"), max_length=200, blank=True)
    selected = models.PositiveIntegerField(_("selected"))
    changed = models.PositiveIntegerField(_("changed"))
    undo = models.JSONField(_("undo data"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk change")
        verbose_name_plural = _("bulk changes")
        indexes = [models.Index(fields=["user", "kind", "-created_at"], name="crm_bulk_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.action}"


class CustomField(models.Model):
    """A field administrators add to people, companies or opportunities
    (crm.custom_fields); records keep its values in their ``custom`` column."""

    class Model(models.TextChoices):
        PEOPLE = "people", _("People")
        COMPANIES = "companies", _("Companies")
        OPPORTUNITIES = "opportunities", _("Opportunities")

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        YES_NO = "yesno", _("Yes/no")

    model = models.CharField(_("for"), max_length=20, choices=Model.choices)
    name = models.CharField(_("name"), max_length=80)
    key = models.SlugField(
        _("key"),
        max_length=40,
        help_text=_("How imports, exports and the API name it: lower case letters, digits and _."),
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice: one option per line."))
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["model", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "key"],
                name="crm_customfield_key_unique",
                violation_error_message=_("Another field of these records already has this key."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        import re

        if self.key and not re.fullmatch(r"[a-z][a-z0-9_]*", self.key):
            raise ValidationError({"key": _("Use lower case letters, digits and _, starting with a letter.")})
        if self.type == self.Type.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("Write the options, one per line.")})


class ExchangeRate(models.Model):
    """How many units of the base currency (the team settings' base currency) one unit of
    ``currency`` was worth from ``on`` (crm.currency), kept by administrators."""

    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("from"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=6)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-on", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "on"],
                name="crm_rate_one_per_day",
                violation_error_message=_("This currency already has a rate for that date."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="crm_rate_positive",
                violation_error_message=_("The rate must be greater than zero."),
            ),
        ]
        indexes = [models.Index(fields=["currency", "-on"], name="crm_rate_currency_idx")]

    def __str__(self) -> str:
        return f"{self.currency} {self.on}: {self.rate}"


@tracked()
class TeamSettings(models.Model):
    """The team's own data and defaults, one row (crm.team): who issues the quotes, the
    country whose phones, money and dates the CRM speaks by default, the currency it totals
    in, the tax its quotes add, its clock. Administrators change it on the Team settings
    page; environment variables only seed the first row (migration crm 0017)."""

    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    address = models.TextField(_("address"), max_length=500, blank=True)
    logo = models.ImageField(_("logo"), upload_to="team/", blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default="PE")
    base_currency = models.CharField(_("base currency"), max_length=3, choices=CURRENCIES, default="PEN")
    tax_name = models.CharField(_("tax name"), max_length=20, default="IGV")
    tax_rate = models.DecimalField(
        _("tax %"),
        max_digits=5,
        decimal_places=2,
        default=18,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    quote_terms = models.TextField(_("quote terms"), max_length=4000, blank=True)
    quote_validity_days = models.PositiveSmallIntegerField(
        _("quotes valid for (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Lima")

    class WeekStart(models.IntegerChoices):  # numbered as calendars number days (0: Sunday)
        SUNDAY = 0, _("Sunday")
        MONDAY = 1, _("Monday")
        SATURDAY = 6, _("Saturday")

    week_start = models.PositiveSmallIntegerField(
        _("week starts on"), choices=WeekStart.choices, default=WeekStart.MONDAY
    )
    # Personal data (crm.personal_data): discarded people are erased this many months after
    # they were discarded (0: never); prospects without activity this long are flagged (0: never).
    erase_discarded_after = models.PositiveSmallIntegerField(
        _("erase discarded people after (months)"),
        default=24,
        db_default=24,
        validators=[MaxValueValidator(240)],
        help_text=_("0: never. A periodic task erases them; the Personal data page shows who is next."),
    )
    flag_inactive_after = models.PositiveSmallIntegerField(
        _("flag prospects without activity after (months)"),
        default=18,
        db_default=18,
        validators=[MaxValueValidator(240)],
        help_text=_("0: never. Listed on the Personal data page, to discard or erase."),
    )
    # An export or API listing of people with more rows than this tells the administrators.
    export_alert_rows = models.PositiveIntegerField(
        _("tell administrators of exports above (rows)"),
        default=5000,
        db_default=5000,
        validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("team settings")
        verbose_name_plural = _("team settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="crm_team_settings_one_row"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="crm_team_tax_0_100"
            ),
            models.CheckConstraint(
                condition=Q(quote_validity_days__gte=1, quote_validity_days__lte=365),
                name="crm_team_validity_1_365",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name or str(_("Team settings"))

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("crm:team_settings")


class Event(models.Model):
    """A change on a record's timeline (a person's, a card's, an order's): what kind, who,
    when. Each app's event model adds its record, its kinds and what it keeps of the change;
    :meth:`record` is the one way they are written, for one record or many."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    # The foreign key naming the record ("person", "opportunity", "order").
    record_field = ""

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    @classmethod
    def record(cls, ids, *, kind: str, by, **values) -> list:
        """The same event on the timelines of the records ``ids`` (one INSERT); texts are
        cut to their columns. Other modules hear of it (crm.signals.events_recorded)."""
        from crm.signals import events_recorded

        for name, value in values.items():
            limit = getattr(cls._meta.get_field(name), "max_length", None)
            values[name] = str(value)[:limit] if limit else value
        events = [cls(**{f"{cls.record_field}_id": pk}, kind=kind, by=by, **values) for pk in ids]
        events = cls.objects.bulk_create(events, batch_size=2000)
        if events:
            events_recorded.send(sender=cls, events=events)
        return events


class Consent(models.Model):
    """Why the team may contact a person on a channel for a purpose (the lawful basis under
    Brazil's LGPD, Peru's Ley 29733, Mexico's LFPDPPP): given or withdrawn, when and how. Rows
    are never changed: the latest per person, channel and purpose is the state, the others its
    history (crm.consent)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")

    class Purpose(models.TextChoices):
        SALES = "sales", _("Sales contact")
        MARKETING = "marketing", _("Marketing")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        CONTRACT = "contract", _("Contract")
        LEGITIMATE_INTEREST = "interest", _("Legitimate interest")

    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        IMPORT = "import", _("Import file")
        AGENT = "agent", _("Recorded by a user")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        API = "api", _("API")

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consents",
        db_index=False,  # the first column of crm_consent_idx
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    basis = models.CharField(_("lawful basis"), max_length=10, choices=Basis.choices, blank=True)
    given = models.BooleanField(_("given"), default=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    source = models.CharField(_("how"), max_length=12, choices=Source.choices)
    # What the person was shown (a web form's checkbox text), or a note (the import's file).
    text = models.TextField(_("text shown"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "channel", "purpose", "-at", "-id"], name="crm_consent_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(given=False) | ~Q(basis=""), name="crm_consent_given_has_basis"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.channel} {self.purpose} {'+' if self.given else '-'}"


class PersonalDataRequest(models.Model):
    """A person's request to know what the CRM holds about them, answered by an administrator
    with a ZIP the task worker builds (crm.personal_data). The record stays when the person is
    erased; its file and the person's link go."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        REMOVED = "removed", _("Removed (the person was erased)")

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    person_number = models.PositiveBigIntegerField(_("person number"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.WAITING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(_("file"), upload_to="privacy/", blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person_number", "-created_at"], name="crm_access_request_idx")]

    def __str__(self) -> str:
        return f"{self.person_number} {self.created_at:%Y-%m-%d}"


class Erasure(models.Model):
    """The erasure log: that person number N was erased, when, by whom (or the retention
    rule), and how many rows of each kind were blanked or removed. It keeps no personal data."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("The person's request")
        RETENTION = "retention", _("Retention period")

    person_number = models.PositiveBigIntegerField(_("person number"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, default=Reason.REQUEST)
    counts = models.JSONField(_("what was erased"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_number} {self.at:%Y-%m-%d}"

    @property
    def rows(self) -> int:
        return sum(n for n in self.counts.values() if isinstance(n, int))


class ExportAudit(models.Model):
    """Who took personal data out, when, with which filter and how many rows: every export of
    a list and every API listing of people."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    what = models.CharField(_("what"), max_length=50)  # "people", "api:people"...
    filters = models.CharField(_("filters"), max_length=2000, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["-at", "-id"], name="crm_export_audit_idx")]

    def __str__(self) -> str:
        return f"{self.what} {self.rows} {self.at:%Y-%m-%d %H:%M}"
