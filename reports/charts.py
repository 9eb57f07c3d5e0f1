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
from dataclasses import dataclass
from typing import Any

from chartjs.views.lines import BaseLineChartView
from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Lower, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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

    def key(self) -> str:
        """What the figures depend on: who may see what (everyone who sees everything
        shares them), the agent, the dates and the language of the labels."""
        viewer = "all" if access.sees_everything(self.user) else f"user-{self.user.pk}"
        agent = self.agent.pk if self.agent else "team"
        return f"{viewer}:{agent}:{self.start.isoformat()}:{self.end.isoformat()}:{get_language()}"

    def period(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

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


class PeopleByStage(DashboardChart):
    slug = "people-by-stage"
    title = gettext_lazy("People by stage")
    kind = "pie"

    def compute(self):
        from people.models import Person

        s = self.scope
        people = access.people(s.user).filter(s.period("created_at"), s.by("owner"))
        counts = dict(people.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
        labels = [label for _value, label in Person.Stage.choices]
        return labels, [(_("People"), [counts.get(value, 0) for value, _label in Person.Stage.choices])]


def _weekly(scope, queryset, date_field: str, key: str) -> tuple[list[str], dict, list[int]]:
    """Counts per week (per month beyond a year) of `queryset` split by `key`: (labels,
    {key value: [count per bucket]}, an all-zero series for values without rows). One query."""
    trunc = TruncMonth if scope.monthly else TruncWeek
    rows = (
        queryset.annotate(week=trunc(date_field))
        .values_list("week", key)
        .annotate(n=Count("pk"))
        .values_list("week", key, "n")
    )
    weeks = _buckets(scope)
    index = {week: i for i, week in enumerate(weeks)}
    series: dict = {}
    for week, value, n in rows:
        position = index.get(_local_date(week))
        if position is not None:
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

        s = self.scope
        people = access.people(s.user).filter(s.period("created_at"), s.by("owner"))
        labels, series, _empty = _weekly(s, people, "created_at", "source")
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

        s = self.scope
        start, end = timezone.localtime(s.start).date(), timezone.localtime(s.end).date()
        campaigns = access.campaigns(s.user).filter(starts_on__lt=end, ends_on__gte=start)
        members = access.campaign_members(s.user).filter(campaign__in=campaigns).filter(s.by("agent"))
        rows = (
            members.values_list("campaign__name", "status")
            .annotate(n=Count("pk"))
            .values_list("campaign__name", "status", "n")
        )
        totals: dict[str, int] = defaultdict(int)
        counts: dict[tuple[str, str], int] = {}
        for name, status, n in rows:
            totals[name] += n
            counts[name, status] = n
        names = sorted(totals, key=lambda n: (-totals[n], n))[: self.LIMIT]
        return names, [
            (label, [counts.get((name, value), 0) for name in names])
            for value, label in CampaignMember.Status.choices
        ]


class OpportunitiesByStage(DashboardChart):
    slug = "opportunities-by-stage"
    title = gettext_lazy("Open opportunities by board stage")
    money_series = (1,)

    def compute(self):
        s = self.scope
        rows = (
            access.opportunities(s.user)
            .filter(s.period("created_at"), s.by("agent"), archived=False)
            .exclude(status__in=["closed", "lost"])
            .values_list("pipeline__name", "stage__position", "stage__name", "currency")
            .annotate(n=Count("pk"), amount=Sum("amount"))
            .order_by("pipeline__name", "stage__position")
            .values_list("pipeline__name", "stage__name", "currency", "n", "amount")
        )
        # Amounts in several currencies: one figure per stage in the base currency.
        rates = s.rates()
        stages: dict[tuple[str, str], list] = {}
        for board, stage, currency, n, amount in rows:
            count, amounts = stages.setdefault((board, stage), [0, []])
            stages[(board, stage)][0] = count + n
            amounts.append((currency, amount))
        labels = [f"{board} · {stage}" for board, stage in stages]
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

        s = self.scope
        rows = dict(
            access.opportunities(s.user)
            .filter(s.period("created_at"), s.by("agent"))
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        return [label for _v, label in Opportunity.Status.choices], [
            (_("Opportunities"), [rows.get(value, 0) for value, _l in Opportunity.Status.choices])
        ]


class WonLost(DashboardChart):
    slug = "won-lost"
    title = gettext_lazy("Won and lost per week")
    monthly_title = gettext_lazy("Won and lost per month")

    def compute(self):
        s = self.scope
        decided = access.opportunities(s.user).filter(
            s.period("decided_at"), s.by("agent"), status__in=["closed", "lost"]
        )
        labels, series, empty = _weekly(s, decided, "decided_at", "status")
        return labels, [(_("Won"), series.get("closed", empty)), (_("Lost"), series.get("lost", empty))]

    def lost_reasons(self) -> list[tuple[str, int]]:
        s = self.scope
        rows = (
            access.opportunities(s.user)
            .filter(s.period("decided_at"), s.by("agent"), status="lost")
            .exclude(lost_reason="")
            .annotate(reason=Lower("lost_reason"))
            .values_list("reason")
            .annotate(n=Count("pk"))
            .order_by("-n", "reason")
            .values_list("reason", "n")[:5]
        )
        return list(rows)


class ActivitiesPerWeek(DashboardChart):
    slug = "activities-per-week"
    title = gettext_lazy("Activities per week, by kind")
    monthly_title = gettext_lazy("Activities per month, by kind")
    stacked = True

    def compute(self):
        s = self.scope
        done = access.activities(s.user).filter(s.period("done_at"), s.by("owner"))
        labels, series, empty = _weekly(s, done, "done_at", "kind")
        return labels, [(label, series.get(value, empty)) for value, label in Activity.Kind.choices]


class ActivitiesPerAgent(DashboardChart):
    slug = "activities-per-agent"
    title = gettext_lazy("Activities per agent, by kind")
    stacked = True

    def compute(self):
        s = self.scope
        rows = (
            access.activities(s.user)
            .filter(s.period("done_at"), s.by("owner"))
            .values_list("owner__name", "kind")
            .annotate(n=Count("pk"))
            .values_list("owner__name", "kind", "n")
        )
        agents = sorted({name for name, _k, _n in rows})
        counts = {(name, kind): n for name, kind, n in rows}
        return agents, [
            (label, [counts.get((a, value), 0) for a in agents]) for value, label in Activity.Kind.choices
        ]


class OverdueReminders(DashboardChart):
    slug = "overdue-reminders"
    title = gettext_lazy("Overdue reminders per agent")

    def compute(self):
        s = self.scope
        rows = (
            access.reminders(s.user)
            .filter(s.by("owner"), due_at__lt=timezone.now())
            .values_list("owner__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "owner__name")
            .values_list("owner__name", "n")
        )
        return [name for name, _n in rows], [(_("Overdue"), [n for _name, n in rows])]


class OrdersByStatus(DashboardChart):
    slug = "orders-by-status"
    title = gettext_lazy("Service orders by status")
    kind = "pie"

    def compute(self):
        from serviceorders.models import ServiceOrder

        s = self.scope
        rows = dict(
            access.service_orders(s.user)
            .filter(s.period("created_at"), s.by("assignee"))
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        return [label for _v, label in ServiceOrder.Status.choices], [
            (_("Orders"), [rows.get(value, 0) for value, _l in ServiceOrder.Status.choices])
        ]

    def figures(self) -> dict:
        s = self.scope
        orders = access.service_orders(s.user).filter(s.period("created_at"), s.by("assignee"))
        duration = ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField())
        result = orders.aggregate(
            rating=Avg("rating"), time=Avg(duration, filter=Q(finished_at__isnull=False))
        )
        return result


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


def dashboard(scope: Scope, refresh: bool = False) -> dict:
    """Every chart of the dashboard with the lost reasons and the orders' figures.

    Aggregating millions of rows takes seconds, and a team's figures barely move
    in minutes: they are kept in the shared cache for DASHBOARD_CACHE_SECONDS
    (per scope, see Scope.key) and the page says when they were computed;
    ``refresh`` computes them again."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    key = f"dashboard:{scope.key()}"
    data = cache.get(key) if seconds > 0 and not refresh else None
    charts = [chart_class(scope=scope) for chart_class in CHARTS]
    if data is None:
        by_slug = {chart.slug: chart for chart in charts}
        data = {
            "charts": {chart.slug: chart.chart() for chart in charts},
            "lost_reasons": by_slug["won-lost"].lost_reasons(),
            "order_figures": by_slug["orders-by-status"].figures(),
            "computed_at": timezone.now(),
            "rates": sorted(scope.rates().table.values(), key=lambda used: used.currency),
            **goals_and_forecast(scope),
        }
        if seconds > 0:
            cache.set(key, data, seconds)
    for chart in charts:
        chart._chart = data["charts"][chart.slug]
    return {**data, "charts": charts}


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
