"""Sales goals: a target for an agent or the whole team over a month or a quarter, on one
measure (won amount in the base currency, won cards, new clients, activities of a kind).
Their progress (goals.progress) is read from the records, never stored."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm import links

MAX_TARGET = 10**12  # the column holds 14 digits, 2 of them decimals


class Goal(models.Model):
    class Metric(models.TextChoices):
        WON_AMOUNT = "won_amount", _("Won amount")
        WON_CARDS = "won_cards", _("Won cards")
        NEW_CLIENTS = "new_clients", _("New clients")
        ACTIVITIES = "activities", _("Activities done")

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    # Empty: the whole team.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        db_index=False,  # the first column of goals_one_per_period
    )
    metric = models.CharField(_("measure"), max_length=12, choices=Metric.choices)
    # For activities: which kind counts (calls, visits…).
    activity_kind = models.CharField(_("kind of activity"), max_length=10, blank=True)
    period = models.CharField(_("period"), max_length=7, choices=Period.choices, default=Period.MONTH)
    starts_on = models.DateField(_("starts on"))  # the first day of the month or quarter
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-starts_on", "period", "metric", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "metric", "activity_kind", "period", "starts_on"],
                name="goals_one_per_period",
                nulls_distinct=False,
                violation_error_message=_("There is already a goal on this measure for this period."),
            ),
            models.CheckConstraint(
                condition=Q(target__gt=0) & Q(target__lt=MAX_TARGET), name="goals_target_range"
            ),
            models.CheckConstraint(
                condition=Q(metric="activities", activity_kind__gt="")
                | (~Q(metric="activities") & Q(activity_kind="")),
                name="goals_kind_for_activities",
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "period"], name="goals_period_idx")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} · {self.period_label()}"

    def get_absolute_url(self) -> str:
        return links.path("goals:edit", self.pk)

    @property
    def ends_on(self) -> datetime.date:
        """The day after the period."""
        return add_months(self.starts_on, 3 if self.period == self.Period.QUARTER else 1)

    def period_label(self) -> str:
        from django.utils.formats import date_format

        if self.period == self.Period.QUARTER:
            return quarter_label(self.starts_on)
        return date_format(self.starts_on, "YEAR_MONTH_FORMAT")


def quarter_label(day: datetime.date) -> str:
    """The quarter ``day`` falls in, as the goals and the forecast name it: "Q1 2027"."""
    return _("Q%(quarter)s %(year)s") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_start(day: datetime.date, period: str) -> datetime.date:
    """The first day of the month or the quarter ``day`` falls in."""
    if period == Goal.Period.QUARTER:
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)
