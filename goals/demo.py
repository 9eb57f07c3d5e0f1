"""Demo goals: the team's won amount for the month and the quarter, and each agent's won cards
and calls for the month (the dashboard and the agents' home pages show how far they are)."""

from __future__ import annotations

from django.utils import timezone

from goals import services
from goals.models import Goal, period_start


def seed(context: dict) -> None:
    if Goal.objects.exists():
        return
    manager = context["manager"]
    today = timezone.localdate()
    month = period_start(today, Goal.Period.MONTH)
    quarter = period_start(today, Goal.Period.QUARTER)
    M = Goal.Metric
    plans = [
        {"agent": None, "metric": M.WON_AMOUNT, "period": "month", "starts_on": month, "target": 60000},
        {"agent": None, "metric": M.WON_AMOUNT, "period": "quarter", "starts_on": quarter, "target": 180000},
        {"agent": None, "metric": M.NEW_CLIENTS, "period": "month", "starts_on": month, "target": 8},
    ]
    for agent in context["agents"]:
        plans += [
            {"agent": agent, "metric": M.WON_CARDS, "period": "month", "starts_on": month, "target": 2},
            {
                "agent": agent,
                "metric": M.ACTIVITIES,
                "activity_kind": "call",
                "period": "month",
                "starts_on": month,
                "target": 20,
            },
        ]
    for plan in plans:
        services.goal_save(goal=None, by=manager, **{"activity_kind": "", **plan})
