"""Tallies: the dashboard's counts kept per day (in the team's time zone), agent and kind by
PostgreSQL triggers on the records' tables (tallies/triggers.py), so a chart over any range
reads hundreds of rows, not millions, and shows a change on the next load.

The columns that name records are plain numbers, not foreign keys: a tally is a count, and
it never holds a record back from being deleted."""

from __future__ import annotations

from django.db import models


def key(*fields: str) -> models.UniqueConstraint:
    """What a tally counts by: one row per combination (no record in a key: one row too)."""
    return models.UniqueConstraint(
        fields=list(fields), name="%(app_label)s_%(class)s_key", nulls_distinct=False
    )


class Tally(models.Model):
    # Counts of cards: an agent sees the rows of the boards they belong to (crm.access.tallies).
    ON_BOARDS = False

    class Meta:
        abstract = True

    def __str__(self) -> str:
        keys = ", ".join(
            f"{field.name}={getattr(self, field.name)}"
            for field in self._meta.fields
            if field.name not in ("id",)
        )
        return f"{self._meta.model_name}({keys})"


class PeopleTally(Tally):
    """People not discarded, by the day they were created, owner, stage and source."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    stage = models.CharField(max_length=12)
    source = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [key("day", "owner_id", "stage", "source")]


class ActivityTally(Tally):
    """Activities done (the work done, whatever became of their person since), by the day
    they were done, owner, kind and whether they were received (a message that came in: the
    dashboard counts it, goals do not)."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=10)
    received = models.BooleanField(default=False)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [key("day", "owner_id", "kind", "received")]


class ReminderTally(Tally):
    """Open reminders (not of a discarded person), by the day they are due and owner."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [key("day", "owner_id")]


class CardTally(Tally):
    """Cards by the day they were created, agent, board, stage, status, archived and
    currency, with their amount."""

    ON_BOARDS = True

    day = models.DateField()
    agent_id = models.BigIntegerField(null=True)
    pipeline_id = models.BigIntegerField()
    stage_id = models.BigIntegerField()
    status = models.CharField(max_length=12)
    archived = models.BooleanField()
    currency = models.CharField(max_length=3)
    n = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [key("day", "agent_id", "pipeline_id", "stage_id", "status", "archived", "currency")]


class OpenCardTally(Tally):
    """Open cards (not won, lost or archived) by the month they are expected to close (none:
    no date), agent, board, stage and currency, with their amount: the sales forecast's."""

    ON_BOARDS = True

    month = models.DateField(null=True)
    agent_id = models.BigIntegerField(null=True)
    pipeline_id = models.BigIntegerField()
    stage_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    n = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [key("month", "agent_id", "pipeline_id", "stage_id", "currency")]


class DecisionTally(Tally):
    """Cards won or lost, by the day they were decided, agent, board, status and (lost) the
    reason in lower case."""

    ON_BOARDS = True

    day = models.DateField()
    agent_id = models.BigIntegerField(null=True)
    pipeline_id = models.BigIntegerField()
    status = models.CharField(max_length=12)
    reason = models.TextField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [key("day", "agent_id", "pipeline_id", "status", "reason")]


class OrderTally(Tally):
    """Service orders by the day they were created, assignee and status, with their ratings
    and the time from creation to the end of the finished ones."""

    day = models.DateField()
    assignee_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=12)
    n = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)
    finished = models.BigIntegerField(default=0)
    finished_seconds = models.DecimalField(max_digits=24, decimal_places=6, default=0)

    class Meta:
        constraints = [key("day", "assignee_id", "status")]


class MemberTally(Tally):
    """Campaign members whose person is not discarded, by campaign, agent and status."""

    campaign_id = models.BigIntegerField()
    agent_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [key("campaign_id", "agent_id", "status")]


class TallyState(models.Model):
    """What the tallies were last built from: the triggers' definition (a digest) and the
    team's time zone. Another digest or zone: they are built again (tallies.triggers.ensure)."""

    digest = models.CharField(max_length=64)
    zone = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.zone} {self.built_at:%Y-%m-%d %H:%M}"
