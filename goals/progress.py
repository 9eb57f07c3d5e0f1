"""How far each goal has come: the won amount (in the base currency, at today's rates, as
the opportunities report totals it), the won cards, the new clients (people moved to the
Client stage) and the activities of a kind done, over the goal's period, with the pace still
needed. A few grouped queries for any number of goals: one per measure over the span of all
the periods, by agent and month, added up per goal."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm import access, locales
from crm.currency import Rates, base_currency
from goals.models import Goal, add_months, period_start

M = Goal.Metric


@dataclass
class Progress:
    """A goal's figures, each worked out once (a goal's card reads most of them several
    times, and a page shows a hundred cards)."""

    goal: Goal
    actual: Decimal
    today: datetime.date
    missing: tuple[str, ...] = ()  # currencies of won cards without an exchange rate

    @cached_property
    def target(self) -> Decimal:
        return Decimal(str(self.goal.target))

    @cached_property
    def money(self) -> bool:
        return self.goal.metric == M.WON_AMOUNT

    def _shown(self, value) -> str:
        """A figure as the reader's language writes it: money in the base currency, or a count."""
        if self.money:
            return locales.money(value, base_currency())
        return locales.number(value, 2, trim=True)

    @cached_property
    def shown_actual(self) -> str:
        return self._shown(self.actual)

    @cached_property
    def shown_target(self) -> str:
        return self._shown(self.target)

    @cached_property
    def shown_left(self) -> str:
        return self._shown(self.left)

    @cached_property
    def weekly(self) -> bool:
        """Counts are paced per week (a fraction of a call a day says little), while a week
        or more is left; amounts per day."""
        return not self.money and self.days_left >= 7

    @cached_property
    def shown_pace(self) -> str:
        if self.weekly:
            return locales.number((self.left * 7 / self.days_left).quantize(Decimal("0.1")), 1, trim=True)
        return self._shown(self.pace)

    @cached_property
    def percent(self) -> int:
        return int(self.actual * 100 / self.target) if self.target else 0

    @cached_property
    def bar(self) -> int:
        return max(0, min(self.percent, 100))

    @cached_property
    def days(self) -> int:
        return (self.goal.ends_on - self.goal.starts_on).days

    @cached_property
    def days_left(self) -> int:
        """Days of the period still to come, today included."""
        if self.today < self.goal.starts_on:
            return self.days
        return max((self.goal.ends_on - self.today).days, 0)

    @cached_property
    def elapsed(self) -> int:
        """Days of the period gone by the end of today."""
        return min(max((self.today - self.goal.starts_on).days + 1, 0), self.days)

    @cached_property
    def expected(self) -> Decimal:
        """Where a steady pace would be by the end of today."""
        return (self.target * self.elapsed / self.days).quantize(Decimal("0.01"))

    @cached_property
    def expected_percent(self) -> int:
        return min(int(self.expected * 100 / self.target), 100)

    @cached_property
    def left(self) -> Decimal:
        return max(self.target - self.actual, Decimal(0))

    @cached_property
    def pace(self) -> Decimal | None:
        """What each remaining day needs to bring (None: met, or the period is over)."""
        if not self.left or not self.days_left:
            return None
        return (self.left / self.days_left).quantize(Decimal("0.01"))

    @cached_property
    def state(self) -> str:
        """met, ahead (at or above the steady pace), behind, or missed (the period is over)."""
        if self.actual >= self.target:
            return "met"
        if not self.days_left:
            return "missed"
        return "ahead" if self.actual >= self.expected else "behind"


def current(user, today: datetime.date | None = None):
    """The goals ``user`` sees whose month or quarter holds ``today``."""
    today = today or timezone.localdate()
    month = Q(period=Goal.Period.MONTH, starts_on=period_start(today, Goal.Period.MONTH))
    quarter = Q(period=Goal.Period.QUARTER, starts_on=period_start(today, Goal.Period.QUARTER))
    return (
        access.goals(user)
        .filter(month | quarter)
        .select_related("agent")
        .order_by("agent__name", "agent_id", "metric", "activity_kind", "-period")
    )


def _bounds(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def measure(goals, user, today: datetime.date | None = None) -> list[Progress]:
    """The progress of each of ``goals`` as ``user`` may count it (their records)."""
    goals = list(goals)
    if not goals:
        return []
    today = today or timezone.localdate()
    metrics = {goal.metric for goal in goals}

    def days(*wanted) -> tuple[datetime.date, datetime.date]:
        """The days the goals on these measures cover (a month's goals read a month), the end
        excluded."""
        chosen = [goal for goal in goals if goal.metric in wanted]
        return min(g.starts_on for g in chosen), max(g.ends_on for g in chosen)

    def span(*wanted) -> tuple[datetime.datetime, datetime.datetime]:
        """The same as moments on the team's clock."""
        first, end = days(*wanted)
        return _bounds(first), _bounds(end)

    # (metric, kind, agent id, month) -> figure; amounts per currency until converted.
    counts: dict[tuple, Decimal] = defaultdict(Decimal)
    amounts: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if metrics & {M.WON_AMOUNT, M.WON_CARDS}:
        start, end = span(M.WON_AMOUNT, M.WON_CARDS)
        won = (
            access.opportunities(user)
            .filter(status="closed", decided_at__gte=start, decided_at__lt=end)
            .annotate(month=TruncMonth("decided_at"))
            .values_list("agent_id", "currency", "month")
            .annotate(n=Count("pk"), amount=Sum("amount"))
            .order_by()
        )
        for agent, currency, month, n, amount in won:
            month = timezone.localtime(month).date()
            counts[M.WON_CARDS, "", agent, month] += n
            amounts[M.WON_AMOUNT, "", agent, month][currency] += amount or 0
    if M.NEW_CLIENTS in metrics:
        start, end = span(M.NEW_CLIENTS)
        clients = (
            access.people(user)
            .filter(
                events__kind="stage",
                events__new_value="client",
                events__at__gte=start,
                events__at__lt=end,
            )
            .annotate(month=TruncMonth("events__at"))
            .values_list("owner_id", "month")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        for agent, month, n in clients:
            counts[M.NEW_CLIENTS, "", agent, timezone.localtime(month).date()] += n
    kinds = {goal.activity_kind for goal in goals if goal.metric == M.ACTIVITIES}
    if kinds:
        # The work done, from its tally (days on the team's clock): the calls an agent made,
        # whoever owns the person now; messages received are not work done.
        first, end = days(M.ACTIVITIES)
        done = (
            access.tallies(user, "tallies.ActivityTally", "owner_id")
            .filter(kind__in=kinds, received=False, day__gte=first, day__lt=end)
            .annotate(month=TruncMonth("day"))
            .values_list("owner_id", "kind", "month")
            .annotate(n=Sum("n"))
            .order_by()
        )
        for agent, kind, month, n in done:
            counts[M.ACTIVITIES, kind, agent, month] += n
    rates = Rates.on_date(user) if M.WON_AMOUNT in metrics else None
    result = []
    for goal in goals:
        months = {
            add_months(goal.starts_on, i) for i in range(3 if goal.period == Goal.Period.QUARTER else 1)
        }

        def mine(key, goal=goal, months=months):
            metric, kind, agent, month = key
            return (
                metric == goal.metric
                and kind == goal.activity_kind
                and month in months
                and (goal.agent_id is None or agent == goal.agent_id)
            )

        if goal.metric == M.WON_AMOUNT:
            by_currency: dict[str, Decimal] = defaultdict(Decimal)
            for key, figures in amounts.items():
                if mine(key):
                    for currency, amount in figures.items():
                        by_currency[currency] += amount
            total = rates.total(by_currency.items())
            result.append(Progress(goal, total.amount, today, tuple(total.missing)))
        else:
            actual = sum((n for key, n in counts.items() if mine(key)), Decimal(0))
            result.append(Progress(goal, actual, today))
    return result
