"""Automation rules: when something happens to a record, if it matches, then do these
things (automations.engine), run by the task worker after the change commits, with a log of
every run."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm import links


class Rule(models.Model):
    class Trigger(models.TextChoices):
        PERSON_CREATED = "person.created", _("A person is created")
        LEAD = "person.lead", _("A lead arrives from a web form or WhatsApp")
        PERSON_STAGE = "person.stage", _("A person changes stage")
        CARD_CREATED = "opportunity.created", _("A card is created")
        CARD_STAGE = "opportunity.stage", _("A card enters a stage")
        CARD_WON = "opportunity.won", _("A card is won")
        CARD_LOST = "opportunity.lost", _("A card is lost")
        CARD_STAGNANT = "opportunity.stagnant", _("A card stays idle longer than its stage allows")
        ORDER_CREATED = "order.created", _("A service order is created")
        ORDER_DONE = "order.done", _("A service order is finished")
        ORDER_VERIFIED = "order.verified", _("A service order is verified")
        ORDER_REOPENED = "order.reopened", _("A service order is reopened")
        REMINDER_OVERDUE = "reminder.overdue", _("A reminder is overdue by some hours")
        ANSWERED = "person.answered", _("A person answers an email")

    class Match(models.TextChoices):
        ALL = "all", _("all the conditions")
        ANY = "any", _("any condition")

    name = models.CharField(_("name"), max_length=120)
    trigger = models.CharField(_("when"), max_length=30, choices=Trigger.choices)
    match = models.CharField(_("if"), max_length=3, choices=Match.choices, default=Match.ALL)
    # [{"field": "source", "op": "eq", "value": "web_form"}, ...] (automations.engine.FIELDS)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    # [{"type": "give_in_turn", "board": 3}, {"type": "activity", "kind": "call", "hours": 1, ...}]
    actions = models.JSONField(_("then"), default=list)
    active = models.BooleanField(_("active"), default=True)
    # An overdue reminder: how many hours past its due time.
    hours = models.PositiveIntegerField(
        _("hours"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24 * 366)]
    )
    # Time-based triggers (an idle card): looked at up to here by the last periodic check.
    checked_until = models.DateTimeField(null=True, blank=True, editable=False)
    position = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("automation")
        verbose_name_plural = _("automations")
        ordering = ["position", "id"]
        indexes = [
            models.Index(
                fields=["trigger", "position"], name="automations_active_idx", condition=models.Q(active=True)
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.path("automations:detail", self.pk)


class RuleRun(models.Model):
    """One rule run on one record for one event: what matched and what was done. The event's
    key makes it once per event, however often the task is tried."""

    rule = models.ForeignKey(
        Rule, on_delete=models.CASCADE, related_name="runs", db_index=False
    )  # the first column of automations_run_rule_idx
    key = models.CharField(max_length=80)
    record = models.CharField(_("record"), max_length=60)  # "serviceorders.serviceorder:500123"
    record_label = models.CharField(_("record"), max_length=200, blank=True)
    matched = models.BooleanField(_("matched"), default=False)
    done = models.JSONField(_("done"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="automations_run_once")]
        indexes = [models.Index(fields=["rule", "-at"], name="automations_run_rule_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.key}"
