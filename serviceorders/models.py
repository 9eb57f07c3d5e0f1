from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Category
from companies.models import Company
from crm import links
from crm.history import tracked
from crm.models import Event
from people.models import Person


class Project(models.Model):
    """Seed 003 "Catálogo de Proyectos": many orders may come from one project."""

    key = models.PositiveBigIntegerField(_("key"), unique=True, editable=False)
    company = models.ForeignKey(
        Company, verbose_name=_("client"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    goal_on = models.DateField(_("goal date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    contact = models.ForeignKey(
        Person,
        verbose_name=_("company contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal_on__isnull=True) | Q(goal_on__gte=models.F("starts_on")),
                name="serviceorders_goal_after_start",
                violation_error_message=_("The goal date cannot be before the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.name}"

    def get_absolute_url(self) -> str:
        return links.path("serviceorders:project", self.key)


@tracked("search")
class ServiceOrder(models.Model):
    """An order to serve a client (seed 003 "Agregar Orden de Servicio")."""

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", pgettext_lazy("service order status", "Done")
        VERIFIED = "verified", _("Verified")
        REOPENED = "reopened", _("Reopened")

    number = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_index=False,  # the first column of serviceorders_project_idx
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="service_orders",
        db_index=False,  # the first column of serviceorders_company_idx
    )
    contact = models.ForeignKey(
        Person,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="service_orders",
        db_index=False,  # the first column of serviceorders_assignee_idx
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.TextField(_("detail"))
    equipment_received = models.TextField(_("equipment received"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    customer_comments = models.TextField(_("customer comments"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # The won opportunity this order serves ("converted to client service"), if any.
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_orders",
    )
    # Detail and services, Spanish and Portuguese stems, without accents; kept
    # current by database triggers on every change (migration 0002).
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="serviceorders_rating_1_to_5",
            )
        ]
        indexes = [
            GinIndex(fields=["search"], name="serviceorders_search_gin"),
            models.Index(fields=["assignee", "status", "-number"], name="serviceorders_assignee_idx"),
            # An agent's orders newest first, whatever their status (lists, concept search).
            models.Index(fields=["assignee", "-number"], name="serviceorders_assignee_num_idx"),
            models.Index(fields=["status", "-number"], name="serviceorders_status_idx"),
            models.Index(fields=["company", "-number"], name="serviceorders_company_idx"),
            models.Index(fields=["project", "status"], name="serviceorders_project_idx"),
            models.Index(fields=["-created_at"], name="serviceorders_created_idx"),
            models.Index(fields=["-finished_at"], name="serviceorders_finished_idx"),
            # The agenda: an assignee's appointments by date.
            models.Index(
                fields=["assignee", "appointment_at"],
                name="serviceorders_agenda_idx",
                condition=models.Q(appointment_at__isnull=False),
            ),
        ]
        permissions = [("export_serviceorder", _("Can export service orders"))]

    def __str__(self) -> str:
        return f"#{self.number}"

    def get_absolute_url(self) -> str:
        return links.path("serviceorders:detail", self.number)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.REOPENED)

    @property
    def time_to_finish(self):
        return self.finished_at - self.created_at if self.finished_at else None


class ServiceEntry(models.Model):
    """A service registered to an order: the work done, who and when."""

    order = models.ForeignKey(
        ServiceOrder,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        related_name="entries",
        db_index=False,  # the first column of serviceorders_entry_order_idx
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    detail = models.TextField(_("work done"))
    finished = models.BooleanField(_("service finished"), default=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"], name="serviceorders_entry_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.detail[:40]}"


class ServiceOrderEvent(Event):
    """A change of an order, for its timeline."""

    record_field = "order"

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        DONE = "done", _("Finished")
        VERIFIED = "verified", _("Verified")
        REOPENED = "reopened", _("Reopened")

    order = models.ForeignKey(
        ServiceOrder, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # the first column of serviceorders_event_order_idx
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta(Event.Meta):
        indexes = [models.Index(fields=["order", "-at"], name="serviceorders_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"
