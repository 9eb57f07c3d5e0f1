"""Goals and the forecast in the browser's terms: setting a goal (errors next to the field),
who reads which goals, the forecast's figures agreeing with the opportunities report, its
download, and a fixed number of queries (the access walk covers who gets in)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import ExchangeRate
from goals.forecast import forecast
from goals.models import Goal
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory

pytestmark = pytest.mark.django_db


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def month_after(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def form(**extra) -> dict:
    data = {"agent": "", "metric": "won_amount", "activity_kind": "", "period": "month", "month": "2027-02"}
    data["target"] = "50000"
    data.update(extra)
    return data


def test_a_manager_sets_goals_for_the_team_and_an_agent(manager_client, alice):
    assert manager_client.get(reverse("goals:create")).status_code == 200
    response = manager_client.post(reverse("goals:create"), form())
    assert response["Location"] == f"{reverse('goals:list')}?month=2027-02"
    manager_client.post(
        reverse("goals:create"),
        form(agent=alice.pk, metric="activities", activity_kind="visit", period="quarter", target="30"),
    )
    team, visits = Goal.objects.order_by("pk")
    assert (team.agent, team.starts_on, team.target) == (None, datetime.date(2027, 2, 1), Decimal("50000"))
    # A quarter starts on its first month, whichever month was chosen.
    assert (visits.agent, visits.period, visits.starts_on, visits.activity_kind) == (
        alice,
        "quarter",
        datetime.date(2027, 1, 1),
        "visit",
    )
    page = manager_client.get(reverse("goals:list"), {"month": "2027-02"}).content.decode()
    assert "The whole team" in page
    assert "Activities done (Visit)" in page
    assert "Q1 2027" in page
    for goal in (team, visits):
        assert f'href="{reverse("goals:edit", args=[goal.pk])}"' in page
        assert f'action="{reverse("goals:delete", args=[goal.pk])}"' in page
    # Changed, then deleted.
    manager_client.post(reverse("goals:edit", args=[team.pk]), form(target="60000"))
    team.refresh_from_db()
    assert team.target == Decimal("60000")
    manager_client.post(reverse("goals:delete", args=[team.pk]))
    assert list(Goal.objects.all()) == [visits]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"month": "2300-01"}, "month", "Enter a month such as 2027-03, between 1900 and 2100."),
        ({"month": "febrero"}, "month", "Enter a month such as 2027-03, between 1900 and 2100."),
        ({"target": "0"}, "target", "Ensure this value is greater than or equal to 1."),
        ({"target": "1e20"}, "target", "Ensure this value is less than or equal to"),
        ({"metric": "activities"}, "activity_kind", "Choose which kind of activity counts."),
        ({"agent": "999999"}, "agent", "Select a valid choice."),
    ],
)
def test_bad_goals_are_refused_next_to_the_field(manager_client, extra, field, message):
    response = manager_client.post(reverse("goals:create"), form(**extra))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert 'value="50000"' in response.content.decode() or field == "target"
    assert not Goal.objects.exists()


def test_the_same_goal_twice_is_refused(manager_client, manager):
    Goal.objects.create(
        metric="won_amount", starts_on=datetime.date(2027, 2, 1), target=5, created_by=manager
    )
    response = manager_client.post(reverse("goals:create"), form())
    assert response.status_code == 400
    assert "There is already a goal on this measure for this period." in response.content.decode()
    assert Goal.objects.count() == 1


def test_an_agent_reads_their_own_goals_on_the_list_and_at_home(alice_client, alice, bob, manager):
    month = this_month()
    mine = Goal.objects.create(agent=alice, metric="won_cards", starts_on=month, target=4, created_by=manager)
    Goal.objects.create(agent=bob, metric="won_cards", starts_on=month, target=9, created_by=manager)
    Goal.objects.create(metric="won_cards", starts_on=month, target=99, created_by=manager)
    board = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=board, agent=alice)
    Opportunity.objects.filter(pk=card.pk).update(status="closed", decided_at=timezone.now())
    page = alice_client.get(reverse("goals:list"))
    assert [p.goal for p in page.context["progress"]] == [mine]
    assert "New goal" not in page.content.decode()
    home = alice_client.get(reverse("crm:home")).content.decode()
    assert "My goals" in home
    assert "1 of 4" in home
    assert f'data-goal="{mine.pk}"' in home


def test_the_forecast_weighs_open_cards_by_their_stage_and_agrees_with_the_report(
    manager_client, manager, alice
):
    ExchangeRate.objects.create(
        currency="USD", on=datetime.date(2026, 1, 1), rate=Decimal("3.70"), created_by=manager
    )
    board = PipelineFactory(members=[alice])
    new, proposal, negotiation, closing = board.stages.order_by("position")
    assert [s.probability for s in (new, proposal, negotiation, closing)] == [10, 30, 60, 90]
    first = this_month().replace(month=(this_month().month - 1) // 3 * 3 + 1)  # the quarter's
    month = this_month()

    def card(stage, amount, close_on, currency="PEN", **extra):
        return OpportunityFactory(
            pipeline=board,
            stage=stage,
            agent=alice,
            amount=amount,
            currency=currency,
            expected_close_on=close_on,
            **extra,
        )

    card(new, 1000, month)
    card(negotiation, 100, month + datetime.timedelta(days=3), "USD")
    card(closing, 2000, month)
    card(proposal, 500, month_after(month, 1))
    card(proposal, 700, first - datetime.timedelta(days=1))  # overdue
    card(new, 800, month_after(first, 24))  # beyond the months shown
    card(new, 300, None)
    card(closing, 9999, month, archived=True)  # not in the forecast
    won = card(closing, 4000, month)
    Opportunity.objects.filter(pk=won.pk).update(status="closed", decided_at=timezone.now())
    lost = card(closing, 6000, month)
    Opportunity.objects.filter(pk=lost.pk).update(status="lost", decided_at=timezone.now())
    Goal.objects.create(metric="won_amount", starts_on=month, target=10000, created_by=manager)

    result = forecast(manager, months=6)
    row = next(r for r in result.rows if r.start == month)
    # 1000 + 100 USD (370) + 2000 open, 4000 won.
    assert row.cards == 3
    assert row.won == Decimal("4000.00")
    assert row.best == Decimal("7370.00")
    assert row.weighted == Decimal("6122.00")  # 4000 + 100 + 222 + 1800
    assert row.committed == Decimal("6000.00")  # 4000 + the closing stage's 2000
    assert (row.goal, row.gap) == (Decimal("10000"), Decimal("3878.00"))
    kinds = {r.kind: r for r in result.rows}
    assert (kinds["earlier"].best, kinds["later"].best, kinds["undated"].best) == (
        Decimal("700.00"),
        Decimal("800.00"),
        Decimal("300.00"),
    )
    assert result.total.best - result.total.won == Decimal("5670.00")  # every open card

    # The report its links open says the same: open cards of the month, and the won ones.
    def report_open(url):
        totals = manager_client.get(url).context["base_totals"]
        return sum((t.amount for status, t in totals if status not in ("closed", "lost")), Decimal(0))

    assert report_open(row.report) == row.best - row.won
    every_open = reverse("reports:opportunities") + "?archived=no"
    assert report_open(every_open) == result.total.best - result.total.won
    won_totals = dict(manager_client.get(row.won_report).context["base_totals"])
    assert won_totals["closed"].amount == row.won

    page = manager_client.get(reverse("goals:forecast"))
    assert page.status_code == 200
    assert 'data-chart="chart-forecast"' in page.content.decode()
    # An agent forecasts their own cards only, whatever the query string asks.
    assert forecast(alice, months=6, agent=alice).total.best == result.total.best


def test_the_forecast_downloads_and_survives_any_query_string(manager_client, manager, alice):
    board = PipelineFactory(members=[alice])
    OpportunityFactory(pipeline=board, agent=alice, amount=1500, expected_close_on=this_month())
    response = manager_client.get(reverse("goals:forecast"), {"format": "csv", "months": "3"})
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Period", "Open cards", "Won"]
    assert len(rows) == 1 + 1 + 3 + 2 + 1 + 1  # earlier, 3 months, later, undated, a quarter, total
    assert ["Total", "1", "0.00", "0.00", "150.00", "1500.00", "", ""] in rows
    response = manager_client.get(reverse("goals:forecast"), {"format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    for params in (
        {"months": "abc"},
        {"months": "999"},
        {"pipeline": "999999"},
        {"agent": "x"},
        {"format": "pdf"},
    ):
        assert manager_client.get(reverse("goals:forecast"), params).status_code == 200, params
    # A NUL byte is refused before any view.
    assert manager_client.get(reverse("goals:forecast"), {"pipeline": "1\x00"}).status_code == 400


def _queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context)


def test_the_pages_read_a_fixed_number_of_queries(manager_client, alice_client, manager, alice):
    from crm.tests.factories import UserFactory

    board = PipelineFactory(members=[alice])
    month = this_month()
    for metric, kind in (("won_amount", ""), ("new_clients", ""), ("activities", "call")):
        Goal.objects.create(metric=metric, activity_kind=kind, starts_on=month, target=10, created_by=manager)

    def add(n):
        for i in range(n):
            agent = alice if i == 0 and not Goal.objects.filter(agent=alice).exists() else UserFactory()
            board.members.add(agent)
            OpportunityFactory(pipeline=board, agent=agent, expected_close_on=month_after(month, i % 5))
            Goal.objects.create(
                agent=agent, metric="won_cards", starts_on=month, target=3, created_by=manager
            )

    add(1)
    pages = [
        (manager_client, reverse("goals:list"), None),
        (manager_client, reverse("goals:forecast"), {"months": "12"}),
        (alice_client, reverse("goals:list"), None),
        (alice_client, reverse("crm:home"), None),
    ]
    few = [_queries(client, url, params) for client, url, params in pages]
    add(11)
    assert [_queries(client, url, params) for client, url, params in pages] == few


def test_the_goal_form_reads_a_fixed_number_of_queries(manager_client, manager):
    from crm.tests.factories import UserFactory

    goal = Goal.objects.create(metric="won_cards", starts_on=this_month(), target=5, created_by=manager)
    urls = [reverse("goals:create"), reverse("goals:edit", args=[goal.pk])]
    UserFactory()
    few = [_queries(manager_client, url) for url in urls]
    UserFactory.create_batch(10)
    assert [_queries(manager_client, url) for url in urls] == few
