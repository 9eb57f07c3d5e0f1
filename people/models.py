from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, Concat, Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm import links
from crm.countries import COUNTRIES, SQL_ACCENTED, SQL_PLAIN, format_phone
from crm.fields import CounterNumberField, key_of
from crm.history import tracked
from crm.models import Event


def search_document(*fields: str) -> Func:
    """to_tsvector('simple', ...) over the fields, lower case and without
    accents: an immutable expression for a generated column with a GIN index."""
    parts = []
    for name in fields:
        if parts:
            parts.append(Value(" "))
        parts.append(Coalesce(F(name), Value(""), output_field=TextField()))
    text = Lower(
        Func(
            Concat(*parts, output_field=TextField()),
            Value(SQL_ACCENTED),
            Value(SQL_PLAIN),
            function="translate",
            output_field=TextField(),
        )
    )
    return Func(
        text,
        template="to_tsvector('simple'::regconfig, %(expressions)s)",
        output_field=SearchVectorField(),
    )


class Color(models.TextChoices):
    """A palette rather than free colors: each is a CSS class (tag-<color>),
    so pages need no inline styles under a strict Content-Security-Policy."""

    GRAY = "gray", _("Gray")
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    TEAL = "teal", _("Teal")
    BLUE = "blue", _("Blue")
    INDIGO = "indigo", _("Indigo")
    PURPLE = "purple", _("Purple")
    PINK = "pink", _("Pink")
    BROWN = "brown", _("Brown")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("color"), max_length=10, choices=Color.choices, default=Color.BLUE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="people_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.path("people:tag_detail", self.pk)


@tracked("search", "number")
class Person(models.Model):
    class Stage(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        INTERESTED = "interested", _("Interested")
        CLIENT = "client", _("Client")

    class Source(models.TextChoices):
        WEBSITE = "website", _("Website")
        WEB_FORM = "web_form", _("Web form")
        REFERRAL = "referral", _("Referral")
        SOCIAL = "social", _("Social media")
        ADVERTISING = "advertising", _("Advertising")
        EVENT = "event", _("Event or fair")
        COLD_CALL = "cold_call", _("Cold call")
        EMAIL = "email", _("Email campaign")
        IMPORT = "import", _("Imported list")
        WHATSAPP = "whatsapp", "WhatsApp"
        OTHER = "other", _("Other")

    # The team's contacts catalog key, C-000123 (manual 003): consecutive, on creation.
    number = CounterNumberField(_("key"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, blank=True)
    source = models.CharField(_("how did you find us"), max_length=20, choices=Source.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="people")
    notes = models.TextField(_("notes"), blank=True)
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("discarded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    discard_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Asked for no more campaign emails (the link in every campaign email).
    unsubscribed_at = models.DateTimeField(_("unsubscribed from emails"), null=True, blank=True)
    # Erased (crm.personal_data): what identified the person is gone; counts stay.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Values of the custom fields administrators add (crm.custom_fields).
    custom = models.JSONField(_("custom fields"), default=dict, blank=True, db_default={})
    search = models.GeneratedField(
        expression=search_document("first_name", "last_name", "email", "city"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-created_at", "-id"]
        permissions = [("import_person", _("Can import people")), ("export_person", _("Can export people"))]
        indexes = [
            GinIndex(fields=["search"], name="people_person_search_gin"),
            GinIndex(fields=["custom"], name="people_person_custom_gin", opclasses=["jsonb_path_ops"]),
            models.Index(
                fields=["-created_at", "-id"],
                name="people_active_created_idx",
                condition=Q(discarded_at=None),
            ),
            models.Index(
                fields=["owner", "-created_at", "-id"],
                name="people_owner_created_idx",
                condition=Q(discarded_at=None),
            ),
            models.Index(
                fields=["last_name", "first_name", "id"],
                name="people_active_name_idx",
                condition=Q(discarded_at=None),
            ),
            models.Index(
                fields=["-discarded_at"], name="people_discarded_idx", condition=~Q(discarded_at=None)
            ),
            # Upper(): what Django's email__iexact compares, so it uses the index.
            models.Index(Upper("email"), name="people_email_ci_idx"),
            models.Index(fields=["phone"], name="people_phone_idx"),
            models.Index(fields=["mobile"], name="people_mobile_idx"),
            models.Index(fields=["stage"], name="people_stage_idx"),
            # Prospects nobody works (the Personal data page), by their last change.
            models.Index(
                fields=["updated_at"],
                name="people_idle_prospect_idx",
                condition=Q(discarded_at=None, erased_at=None, stage="prospect"),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return links.path("people:detail", self.pk)

    @property
    def catalog_key(self) -> str:
        return key_of("C", self.number)

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return str(_("Erased person %(number)s") % {"number": self.pk})
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_discarded(self) -> bool:
        return self.discarded_at is not None

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def mobile_display(self) -> str:
        return format_phone(self.mobile)

    @property
    def next_stage(self) -> str | None:
        order = list(self.Stage.values)
        index = order.index(self.stage)
        return order[index + 1] if index + 1 < len(order) else None

    @property
    def next_stage_label(self) -> str:
        return self.Stage(self.next_stage).label if self.next_stage else ""


class PersonEvent(Event):
    """A recorded change of a person: creation, stage, discard, restore, tags."""

    record_field = "person"

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STAGE = "stage", _("Stage changed")
        DISCARDED = "discarded", pgettext_lazy("timeline event", "Discarded")
        RESTORED = "restored", pgettext_lazy("timeline event", "Restored")
        TAGGED = "tagged", _("Tag added")
        UNTAGGED = "untagged", _("Tag removed")
        UPDATED = "updated", _("Data edited")
        CAMPAIGN = "campaign", _("Campaign")
        WROTE_AGAIN = "wrote_again", _("Wrote again")  # through a web form, while discarded

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # the first column of people_event_person_at_idx
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    old_value = models.CharField(_("before"), max_length=200, blank=True)
    new_value = models.CharField(_("after"), max_length=300, blank=True)

    class Meta(Event.Meta):
        verbose_name = _("person event")
        verbose_name_plural = _("person events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at", "-id"], name="people_event_person_at_idx"),
            # New clients (the goals): people moved to the Client stage, by date.
            models.Index(
                fields=["at"],
                name="people_event_client_idx",
                condition=models.Q(kind="stage", new_value="client"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"

    @property
    def old_label(self) -> str:
        return self._label(self.old_value)

    @property
    def new_label(self) -> str:
        return self._label(self.new_value)

    def _label(self, value: str) -> str:
        if self.kind == self.Kind.STAGE and value in Person.Stage.values:
            return Person.Stage(value).label
        return value


def import_upload_to(job: ImportJob, filename: str) -> str:
    # The name is ours, its extension the format found in the content: never the uploader's.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{job.format or 'bin'}"


class ImportJob(models.Model):
    """One import of a CSV or XLSX file: the upload, the column mapping, the
    preview (dry run), the import itself and its counts and error report."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("People")
        COMPANIES = "companies", _("Companies")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Columns to check")
        ANALYSING = "analysing", _("Preparing the preview")
        PREVIEWED = "previewed", _("Preview ready")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PEOPLE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of people_import_by_idx
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to=import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=5)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("mapping"), default=list)
    options = models.JSONField(_("options"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    preview = models.JSONField(_("preview"), default=list)
    error_report = models.FileField(_("error report"), upload_to="imports/errors/", blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at", "-id"], name="people_import_by_idx")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return links.path("people:import_detail", self.pk)

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.ANALYSING, self.Status.IMPORTING)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class SavedList(models.Model):
    """A named People filter (seed 000 "Listas"), reusable in campaigns and
    exports."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_lists", db_index=False
    )  # the first column of people_saved_list_unique
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="people_saved_list_unique")]

    def __str__(self) -> str:
        return self.name
