"""The sales forecast: the open cards by the month they are expected to close, in the base
currency (at today's rates, as the opportunities report totals them), with

- won: the cards won in the month;
- committed: won, plus the open cards in stages at FORECAST_COMMITTED_PROBABILITY or more;
- weighted: won, plus each open card's amount times its stage's probability;
- best case: won, plus every open card;

against the team's (or the agent's) won-amount goal of the month or the quarter. It starts at
the current quarter's first month, so a quarter's goal sees all of its months; open cards
expected earlier, later or on no date have their own rows, so the totals agree with the
opportunities report. Four grouped queries, whatever the number of cards."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm import access
from crm.currency import Rates
from goals.models import Goal, add_months, period_start, quarter_label

MAX_MONTHS = 24
OPEN_EXCLUDED = ("closed", "lost")


def _zero() -> dict[str, Decimal]:
    return defaultdict(Decimal)


@dataclass
class Row:
    label: str
    kind: str  # "earlier", "month", "later", "undated", "quarter", "total"
    start: datetime.date | None = None
    end: datetime.date | None = None  # exclusive
    cards: int = 0
    won_cards: int = 0
    # Amounts per currency, converted by Forecast.finish().
    raw: dict[str, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(_zero))
    won: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    best: Decimal = Decimal(0)
    goal: Decimal | None = None
    report: str = ""  # the opportunities report of these open cards
    won_report: str = ""

    def add(self, other: Row) -> None:
        self.cards += other.cards
        self.won_cards += other.won_cards
        for name, amounts in other.raw.items():
            for currency, amount in amounts.items():
                self.raw[name][currency] += amount

    @property
    def gap(self) -> Decimal | None:
        """What the weighted forecast lacks to reach the goal (negative: beyond it)."""
        return None if self.goal is None else self.goal - self.weighted

    @property
    def percent(self) -> int | None:
        return None if not self.goal else int(self.weighted * 100 / self.goal)


@dataclass
class Forecast:
    rows: list[Row]
    quarters: list[Row]
    total: Row
    rates: Rates
    missing: list[str]
    committed_at: int
    with_goals: bool

    def chart(self) -> dict:
        months = [row for row in self.rows if row.kind == "month"]
        series = [
            (_("Won"), "won", "#198754"),
            (_("Committed"), "committed", "#20c997"),
            (_("Weighted"), "weighted", "#0d6efd"),
            (_("Best case"), "best", "#adb5bd"),
        ]
        datasets = [
            {
                "label": str(label),
                "data": [float(getattr(row, name)) for row in months],
                "backgroundColor": color,
            }
            for label, name, color in series
        ]
        if self.with_goals:
            datasets.append(
                {
                    "type": "line",
                    "label": str(pgettext("sales", "Goal")),
                    "data": [float(row.goal) if row.goal is not None else None for row in months],
                    # A mark across each month's bars at its goal.
                    "showLine": False,
                    "pointStyle": "line",
                    "pointRadius": 24,
                    "pointHoverRadius": 24,
                    "pointBorderWidth": 3,
                    "borderColor": "#dc3545",
                    "backgroundColor": "#dc3545",
                }
            )
        return {"type": "bar", "labels": [row.label for row in months], "datasets": datasets}


def _report(**params) -> str:
    return f"{reverse('reports:opportunities')}?{urlencode({k: v for k, v in params.items() if v})}"


def _open_cards(user, cards, board, agent) -> list[tuple]:
    """The open cards by (expected month, currency, stage probability): count and amount. From
    their tally (tallies.models.OpenCardTally: a few thousand rows however many cards) for the
    team or one agent's own cards; an agent's forecast of their own and the cards they follow,
    counted down their index."""
    own = agent is not None and agent.pk == user.pk
    if not (access.sees_everything(user) or own):
        return list(
            cards.annotate(month=TruncMonth("expected_close_on"))
            .values_list("month", "currency", "stage__probability")
            .annotate(n=Count("pk"), amount=Sum("amount"))
            .order_by()
        )
    from opportunities.models import Stage

    tally = access.tallies(user, "tallies.OpenCardTally", "agent_id")
    if board is not None:
        tally = tally.filter(pipeline_id=board.pk)
    if agent is not None:
        tally = tally.filter(agent_id=agent.pk)
    rows = [
        row
        for row in tally.values_list("month", "currency", "stage_id")
        .annotate(count=Sum("n"), total=Sum("amount"))
        .values_list("month", "currency", "stage_id", "count", "total")
        if row[3]
    ]
    probability = dict(
        Stage.objects.filter(access.among("id", {row[2] for row in rows})).values_list("pk", "probability")
    )
    return [
        (month, currency, probability.get(stage), n, amount) for month, currency, stage, n, amount in rows
    ]


def forecast(
    user, *, months: int = 6, board=None, agent=None, today: datetime.date | None = None
) -> Forecast:
    today = today or timezone.localdate()
    months = min(max(int(months), 1), MAX_MONTHS)
    first = period_start(today, Goal.Period.QUARTER)
    horizon = add_months(first, months)
    committed_at = settings.FORECAST_COMMITTED_PROBABILITY
    scope = {"pipeline": board.pk if board else "", "agent": agent.pk if agent else "", "archived": "no"}

    cards = access.opportunities(user).filter(archived=False).exclude(status__in=OPEN_EXCLUDED)
    won = access.opportunities(user).filter(status="closed")
    if board is not None:
        cards, won = cards.filter(pipeline=board), won.filter(pipeline=board)
    if agent is not None:
        cards, won = cards.filter(agent=agent), won.filter(agent=agent)

    earlier = Row(_("Expected before"), "earlier", end=first)
    earlier.report = _report(close_to=(first - datetime.timedelta(days=1)).isoformat(), **scope)
    by_month: dict[datetime.date, Row] = {}
    for i in range(months):
        start = add_months(first, i)
        end = add_months(first, i + 1)
        row = Row(date_format(start, "YEAR_MONTH_FORMAT"), "month", start, end)
        last = (end - datetime.timedelta(days=1)).isoformat()
        row.report = _report(close_from=start.isoformat(), close_to=last, **scope)
        row.won_report = _report(
            status="closed",
            decided_from=start.isoformat(),
            decided_to=last,
            pipeline=scope["pipeline"],
            agent=scope["agent"],
        )
        by_month[start] = row
    later = Row(_("Expected later"), "later", start=horizon)
    later.report = _report(close_from=horizon.isoformat(), **scope)
    undated = Row(_("No expected date"), "undated")

    for month, currency, probability, n, amount in _open_cards(user, cards, board, agent):
        if month is None:
            row = undated
        elif month < first:
            row = earlier
        elif month >= horizon:
            row = later
        else:
            row = by_month[month]
        amount = amount or Decimal(0)
        row.cards += n
        row.raw["best"][currency] += amount
        row.raw["weighted"][currency] += amount * (probability or 0) / 100
        if (probability or 0) >= committed_at:
            row.raw["committed"][currency] += amount

    tz = timezone.get_current_timezone()
    won_rows = (
        won.filter(
            decided_at__gte=datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
            decided_at__lt=datetime.datetime.combine(horizon, datetime.time.min, tzinfo=tz),
        )
        .annotate(month=TruncMonth("decided_at"))
        .values_list("month", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    for month, currency, n, amount in won_rows:
        row = by_month.get(timezone.localtime(month).date())
        if row is not None:
            row.won_cards += n
            for name in ("won", "committed", "weighted", "best"):
                row.raw[name][currency] += amount or Decimal(0)

    # The won-amount goals of the team, or of the agent; none for one board (goals are not per board).
    goals: dict[tuple[str, datetime.date], Decimal] = {}
    if board is None:
        goals = {
            (period, starts_on): target
            for period, starts_on, target in access.goals(user)
            .filter(metric=Goal.Metric.WON_AMOUNT, agent=agent, starts_on__gte=first, starts_on__lt=horizon)
            .values_list("period", "starts_on", "target")
        }
    rates = Rates.on_date(user)
    missing: set[str] = set()
    rows = [earlier, *by_month.values(), later, undated]
    quarters = []
    for i in range(0, months, 3):
        start = add_months(first, i)
        quarter = Row(
            quarter_label(start),
            "quarter",
            start,
            min(add_months(start, 3), horizon),
        )
        for row in by_month.values():
            if quarter.start <= row.start < quarter.end:
                quarter.add(row)
        quarter.goal = goals.get((Goal.Period.QUARTER, start))
        quarters.append(quarter)
    total = Row(_("Total"), "total")
    for row in rows:
        total.add(row)
        if row.kind == "month":
            row.goal = goals.get((Goal.Period.MONTH, row.start))
    for row in [*rows, *quarters, total]:
        for name in ("won", "committed", "weighted", "best"):
            converted = rates.total(row.raw[name].items())
            missing.update(converted.missing)
            setattr(row, name, converted.amount.quantize(Decimal("0.01")))
    return Forecast(
        rows=rows,
        quarters=quarters,
        total=total,
        rates=rates,
        missing=sorted(missing),
        committed_at=committed_at,
        with_goals=bool(goals),
    )
