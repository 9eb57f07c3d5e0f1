"""The dashboard's charts (seed 000 section 3): each a django-chartjs view
that answers its data as JSON ({labels, datasets}), computed by aggregates
in the database over what the user may see. The dashboard page builds the
same charts in one request and embeds their data, with a table of numbers
for each.

A date range and an agent apply to every chart; an agent always sees their
own records only (crm.access)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chartjs.views.lines import BaseLineChartView
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity
from crm import access
from crm.currency import Rates, base_currency
from crm.models import User
from reports.forms import WEEKLY_DAYS, DashboardFilterForm

PALETTE = [
    "#0d6efd",
    "#20c997",
    "#ffc107",
    "#dc3545",
    "#6f42c1",
    "#fd7e14",
    "#198754",
    "#6c757d",
    "#0dcaf0",
    "#d63384",
]


@dataclass
class Scope:
    """Who looks, over which dates, for which agent."""

    user: User
    start: datetime.datetime
    end: datetime.datetime  # exclusive
    agent: User | None
    # What several charts read alike (see once).
    kept: dict = field(default_factory=dict, repr=False, compare=False)

    def once(self, key, read: Callable[[], list]) -> list:
        """``read()``'s rows, read once for the scope: several charts sum the same tally."""
        if key not in self.kept:
            self.kept[key] = read()
        return self.kept[key]

    @classmethod
    def from_request(cls, request) -> Scope:
        form = DashboardFilterForm(request.GET or None, user=request.user)
        data = form.cleaned_data if form.is_valid() else {}
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - datetime.timedelta(weeks=12)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        agent = data.get("agent") if access.sees_everything(request.user) else request.user
        return cls(user=request.user, start=start, end=end, agent=agent)

    @property
    def monthly(self) -> bool:
        """Charts over time count per month beyond a year, per week up to it."""
        return (self.end - self.start).days > WEEKLY_DAYS

    @property
    def first_day(self) -> datetime.date:
        return timezone.localtime(self.start).date()

    @property
    def end_day(self) -> datetime.date:
        """The day after the last."""
        return timezone.localtime(self.end).date()

    def by(self, field: str) -> Q:
        return Q(**{field: self.agent}) if self.agent else Q()

    def rates(self) -> Rates:
        """The exchange rates of the period's last day."""
        return Rates.on_date(self.user, timezone.localtime(self.end - datetime.timedelta(seconds=1)).date())


def _buckets(scope: Scope) -> list[datetime.date]:
    """The first day of each week (or month, see Scope.monthly) of the period."""
    day = timezone.localtime(scope.start).date()
    last = timezone.localtime(scope.end).date()
    if scope.monthly:
        day = day.replace(day=1)
    else:
        day -= datetime.timedelta(days=day.weekday())
    buckets = []
    while day < last:
        buckets.append(day)
        day = (
            (day + datetime.timedelta(days=32)).replace(day=1)
            if scope.monthly
            else day + datetime.timedelta(weeks=1)
        )
    return buckets


def _local_date(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


class DashboardChart(BaseLineChartView):
    """A chart: labels, datasets (one per series) and a table of its numbers."""

    slug = ""
    title: Any = ""
    kind = "bar"
    stacked = False

    monthly_title: Any = ""  # the title of a chart over time, counted per month

    def __init__(self, scope: Scope | None = None, **kwargs):
        super().__init__(**kwargs)
        self.scope = scope
        if scope is not None and scope.monthly and self.monthly_title:
            self.title = self.monthly_title

    def get(self, request, *args, **kwargs):
        self.scope = Scope.from_request(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # The chart's data only: not the view or URL arguments.
        return {"type": self.kind, "stacked": self.stacked, **self.chart()}

    def chart(self) -> dict:
        if not hasattr(self, "_chart"):
            labels, series = self.compute()
            self._chart = {
                "labels": [str(label) for label in labels],
                "datasets": [
                    {
                        "label": str(name),
                        "data": values,
                        "backgroundColor": _colors(self.kind, index, len(values)),
                    }
                    for index, (name, values) in enumerate(series)
                ],
            }
        return self._chart

    def compute(self) -> tuple[list, list[tuple[Any, list]]]:
        raise NotImplementedError

    # The series that are amounts in the base currency: their table cells are written as money.
    money_series: tuple[int, ...] = ()

    def table(self) -> dict:
        """The chart's numbers: a row per label, a (value, currency or "") cell per series."""
        data = self.chart()
        base = base_currency()
        currencies = [base if index in self.money_series else "" for index in range(len(data["datasets"]))]
        return {
            "columns": [d["label"] for d in data["datasets"]],
            "rows": [
                (label, [(d["data"][i], currencies[n]) for n, d in enumerate(data["datasets"])])
                for i, label in enumerate(data["labels"])
            ],
        }


def _colors(kind: str, index: int, count: int):
    if kind in ("pie", "doughnut"):
        return [PALETTE[i % len(PALETTE)] for i in range(count)]
    return PALETTE[index % len(PALETTE)]


def _tally(scope: Scope, label: str, responsible: str, dated: bool = True):
    """The rows of a tally (tallies.models) the viewer may see, of the scope's dates and agent."""
    rows = access.tallies(scope.user, label, responsible)
    if dated:
        rows = rows.filter(day__gte=scope.first_day, day__lt=scope.end_day)
    if scope.agent is not None:
        rows = rows.filter(**{responsible: scope.agent.pk})
    return rows


def _agent_names(ids) -> dict[int, str]:
    """The agents' names by id, for the charts per agent (one query, whatever the rows)."""
    return dict(User.objects.filter(access.among("id", set(ids))).values_list("pk", "name"))


def _by_week_and(scope: Scope, label: str, responsible: str, *fields: str) -> list[tuple]:
    """A tally of the scope summed by week (month beyond a year) and ``fields``: rows of
    (week, *fields, sum), read once per scope for the charts that share them (over ten years
    the people tally holds hundreds of thousands of rows, and each of its charts read them all)."""
    trunc = TruncMonth if scope.monthly else TruncWeek
    return scope.once(
        (label, fields),
        lambda: list(
            _tally(scope, label, responsible)
            .annotate(week=trunc("day"))
            .values_list("week", *fields)
            .annotate(total=Sum("n"))
            .values_list("week", *fields, "total")
        ),
    )


def _people_rows(scope: Scope) -> list[tuple]:
    """The people tally by week, stage and source: both charts of people."""
    return _by_week_and(scope, "tallies.PeopleTally", "owner_id", "stage", "source")


class PeopleByStage(DashboardChart):
    slug = "people-by-stage"
    title = gettext_lazy("People by stage")
    kind = "pie"

    def compute(self):
        from people.models import Person

        counts: dict[str, int] = defaultdict(int)
        for _week, stage, _source, n in _people_rows(self.scope):
            counts[stage] += n
        labels = [label for _value, label in Person.Stage.choices]
        return labels, [(_("People"), [counts.get(value, 0) for value, _label in Person.Stage.choices])]


def _by_week(scope, rows) -> tuple[list[str], dict, list[int]]:
    """Sums per week (per month beyond a year) from (week, value, sum) rows: (labels, {value:
    [sum per bucket]}, an all-zero series for values without rows)."""
    weeks = _buckets(scope)
    index = {week: i for i, week in enumerate(weeks)}
    series: dict = {}
    for week, value, n in rows:
        position = index.get(_local_date(week))
        if position is not None and n:
            series.setdefault(value, [0] * len(weeks))[position] += n
    empty = [0] * len(weeks)
    label = "YEAR_MONTH_FORMAT" if scope.monthly else "SHORT_DATE_FORMAT"
    return [date_format(w, label) for w in weeks], series, empty


class NewPeopleBySource(DashboardChart):
    slug = "new-people-by-source"
    title = gettext_lazy("New people per week, by source")
    monthly_title = gettext_lazy("New people per month, by source")
    stacked = True

    def compute(self):
        from people.models import Person

        rows = [(week, source, n) for week, _stage, source, n in _people_rows(self.scope)]
        labels, series, _empty = _by_week(self.scope, rows)
        sources = dict(Person.Source.choices)
        return labels, [
            (sources.get(source, _("Unknown")), values) for source, values in sorted(series.items())
        ]


class CampaignFunnels(DashboardChart):
    slug = "campaign-funnels"
    title = gettext_lazy("Campaign funnels")
    stacked = True
    LIMIT = 8

    def compute(self):
        from campaigns.models import CampaignMember
        from campaigns.selectors import members_by_status

        s = self.scope
        campaigns = dict(
            access.campaigns(s.user)
            .filter(starts_on__lt=s.end_day, ends_on__gte=s.first_day)
            .values_list("pk", "name")
        )
        found = members_by_status(campaigns, s.user, agent_id=s.agent.pk if s.agent is not None else None)
        totals: dict[str, int] = defaultdict(int)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for campaign, by_status in found.items():
            name = campaigns[campaign]
            for status, n in by_status.items():
                totals[name] += n
                counts[name, status] += n
        names = sorted((name for name in totals if totals[name]), key=lambda n: (-totals[n], n))[: self.LIMIT]
        return names, [
            (label, [counts.get((name, value), 0) for name in names])
            for value, label in CampaignMember.Status.choices
        ]


def _card_rows(scope: Scope) -> list[tuple]:
    """The card tally of the scope by stage, currency, status and archived (count, amount),
    read once for both charts of cards."""
    return scope.once(
        "cards",
        lambda: list(
            _tally(scope, "tallies.CardTally", "agent_id")
            .values_list("stage_id", "currency", "status", "archived")
            .annotate(count=Sum("n"), total=Sum("amount"))
            .values_list("stage_id", "currency", "status", "archived", "count", "total")
        ),
    )


class OpportunitiesByStage(DashboardChart):
    slug = "opportunities-by-stage"
    title = gettext_lazy("Open opportunities by board stage")
    money_series = (1,)

    def compute(self):
        from opportunities.models import Stage

        s = self.scope
        rows = [
            (stage, currency, n, amount)
            for stage, currency, status, archived, n, amount in _card_rows(s)
            if not archived and status not in ("closed", "lost")
        ]
        names = {
            pk: (board, position, name)
            for pk, board, position, name in Stage.objects.filter(
                access.among("id", {row[0] for row in rows})
            ).values_list("pk", "pipeline__name", "position", "name")
        }
        # Amounts in several currencies: one figure per stage in the base currency.
        rates = s.rates()
        stages: dict[tuple[str, int, str], list] = {}
        for stage, currency, n, amount in sorted(rows, key=lambda row: names.get(row[0], ("", 0, ""))):
            if not n or stage not in names:
                continue
            count, amounts = stages.setdefault(names[stage], [0, []])
            stages[names[stage]][0] = count + n
            amounts.append((currency, amount))
        labels = [f"{board} · {stage}" for board, _position, stage in stages]
        return labels, [
            (_("Opportunities"), [count for count, _amounts in stages.values()]),
            (
                _("Amount (%(currency)s)") % {"currency": rates.base},
                [float(rates.total(amounts).amount) for _count, amounts in stages.values()],
            ),
        ]


class OpportunitiesByStatus(DashboardChart):
    slug = "opportunities-by-status"
    title = gettext_lazy("Opportunities by status")
    kind = "doughnut"

    def compute(self):
        from opportunities.models import Opportunity

        rows: dict[str, int] = defaultdict(int)
        for _stage, _currency, status, _archived, n, _amount in _card_rows(self.scope):
            rows[status] += n
        return [label for _v, label in Opportunity.Status.choices], [
            (_("Opportunities"), [rows.get(value, 0) for value, _l in Opportunity.Status.choices])
        ]


class WonLost(DashboardChart):
    slug = "won-lost"
    title = gettext_lazy("Won and lost per week")
    monthly_title = gettext_lazy("Won and lost per month")

    def compute(self):
        rows = [(week, status, n) for week, status, _reason, n in self._rows()]
        labels, series, empty = _by_week(self.scope, rows)
        return labels, [(_("Won"), series.get("closed", empty)), (_("Lost"), series.get("lost", empty))]

    def lost_reasons(self) -> list[tuple[str, int]]:
        """The five reasons most cards were lost for."""
        totals: dict[str, int] = defaultdict(int)
        for _week, status, reason, n in self._rows():
            if status == "lost" and reason:
                totals[reason] += n
        return sorted(((r, n) for r, n in totals.items() if n > 0), key=lambda row: (-row[1], row[0]))[:5]

    def _rows(self) -> list[tuple]:
        """The decision tally by week, status and reason: the chart and the reasons."""
        return _by_week_and(self.scope, "tallies.DecisionTally", "agent_id", "status", "reason")


class ActivitiesPerWeek(DashboardChart):
    slug = "activities-per-week"
    title = gettext_lazy("Activities per week, by kind")
    monthly_title = gettext_lazy("Activities per month, by kind")
    stacked = True

    def compute(self):
        done = _by_week_and(self.scope, "tallies.ActivityTally", "owner_id", "kind")
        labels, series, empty = _by_week(self.scope, done)
        return labels, [(label, series.get(value, empty)) for value, label in Activity.Kind.choices]


class ActivitiesPerAgent(DashboardChart):
    slug = "activities-per-agent"
    title = gettext_lazy("Activities per agent, by kind")
    stacked = True

    def compute(self):
        rows = [
            row
            for row in _tally(self.scope, "tallies.ActivityTally", "owner_id")
            .exclude(owner_id=None)
            .values_list("owner_id", "kind")
            .annotate(total=Sum("n"))
            .values_list("owner_id", "kind", "total")
            if row[2]
        ]
        names = _agent_names(row[0] for row in rows)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for owner, kind, n in rows:
            counts[names.get(owner, ""), kind] += n
        agents = sorted({name for name, _kind in counts})
        return agents, [
            (label, [counts.get((a, value), 0) for a in agents]) for value, label in Activity.Kind.choices
        ]


class OverdueReminders(DashboardChart):
    slug = "overdue-reminders"
    title = gettext_lazy("Overdue reminders per agent")

    def compute(self):
        s = self.scope
        now = timezone.now()
        today = timezone.localdate(now)
        live = access.reminders(s.user).filter(s.by("owner"), due_at__lt=now)
        if access.sees_everything(s.user):
            # Days gone by from their tally; today's, up to now, counted (one day of reminders).
            start = datetime.datetime.combine(
                today, datetime.time.min, tzinfo=timezone.get_current_timezone()
            )
            live = live.filter(due_at__gte=start)
            past = _tally(s, "tallies.ReminderTally", "owner_id", dated=False).filter(day__lt=today)
            counts = defaultdict(
                int, past.values_list("owner_id").annotate(total=Sum("n")).values_list("owner_id", "total")
            )
        else:
            # An agent's own, down their index: the reminders of people they still own.
            counts = defaultdict(int)
        for owner, n in live.values_list("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n"):
            counts[owner] += n
        names = _agent_names(pk for pk, n in counts.items() if n and pk)
        rows = sorted(
            ((names[pk], n) for pk, n in counts.items() if pk in names and n),
            key=lambda row: (-row[1], row[0]),
        )
        return [name for name, _n in rows], [(_("Overdue"), [n for _name, n in rows])]


class OrdersByStatus(DashboardChart):
    slug = "orders-by-status"
    title = gettext_lazy("Service orders by status")
    kind = "pie"

    def _rows(self) -> list[dict]:
        """The order tally by status with its ratings and times, read once for the chart and
        its figures."""
        return self.scope.once(
            "orders",
            lambda: list(
                _tally(self.scope, "tallies.OrderTally", "assignee_id")
                .values("status")
                .annotate(
                    orders=Sum("n"),
                    rated=Sum("rated"),
                    rating=Sum("rating_sum"),
                    finished=Sum("finished"),
                    seconds=Sum("finished_seconds"),
                )
                .order_by()
            ),
        )

    def compute(self):
        from serviceorders.models import ServiceOrder

        rows = {row["status"]: row["orders"] for row in self._rows()}
        return [label for _v, label in ServiceOrder.Status.choices], [
            (_("Orders"), [rows.get(value, 0) for value, _l in ServiceOrder.Status.choices])
        ]

    def figures(self) -> dict:
        sums = {
            key: sum((row[key] or 0 for row in self._rows()), 0)
            for key in ("rated", "rating", "finished", "seconds")
        }
        return {
            "rating": sums["rating"] / sums["rated"] if sums["rated"] else None,
            "time": datetime.timedelta(seconds=float(sums["seconds"] / sums["finished"]))
            if sums["finished"]
            else None,
        }


CHARTS: list[type[DashboardChart]] = [
    PeopleByStage,
    NewPeopleBySource,
    CampaignFunnels,
    OpportunitiesByStage,
    OpportunitiesByStatus,
    WonLost,
    ActivitiesPerWeek,
    ActivitiesPerAgent,
    OverdueReminders,
    OrdersByStatus,
]
BY_SLUG = {chart.slug: chart for chart in CHARTS}


def dashboard(scope: Scope) -> dict:
    """Every chart of the dashboard with the lost reasons and the orders' figures, exact:
    the charts read the tallies the database keeps (tallies.triggers), so a change shows on
    the next load and a chart over ten years reads thousands of rows, not millions."""
    charts = [chart_class(scope=scope) for chart_class in CHARTS]
    by_slug = {chart.slug: chart for chart in charts}
    return {
        "charts": charts,
        "lost_reasons": by_slug["won-lost"].lost_reasons(),
        "order_figures": by_slug["orders-by-status"].figures(),
        "rates": sorted(scope.rates().table.values(), key=lambda used: used.currency),
        **goals_and_forecast(scope),
    }


def goals_and_forecast(scope: Scope) -> dict:
    """This month's and quarter's goals with their progress (the team's and each agent's, or
    the chosen agent's) and the forecast of the next two quarters (goals.forecast)."""
    from goals import forecast, progress

    goals = progress.current(scope.user)
    if scope.agent is not None:
        goals = goals.filter(agent=scope.agent)
    measured = progress.measure(goals, scope.user)
    return {
        "team_goals": [p for p in measured if p.goal.agent_id is None],
        "agent_goals": [p for p in measured if p.goal.agent_id is not None],
        "forecast": forecast.forecast(scope.user, months=6, agent=scope.agent),
    }
