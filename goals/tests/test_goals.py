"""Goals: how far each has come on each measure, who sees and sets them, the pace still
needed, and the goals on the home page and the dashboard."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity
from crm.models import ExchangeRate
from goals import progress
from goals.models import Goal
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people import services as people_services
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 1)


def at(day: int, month: datetime.date = NOV) -> datetime.datetime:
    return datetime.datetime.combine(
        month.replace(day=day), datetime.time(12), tzinfo=timezone.get_current_timezone()
    )


def won(agent, amount, currency="PEN", day=5, month=NOV, status="closed") -> Opportunity:
    card = OpportunityFactory(
        agent=agent, amount=amount, currency=currency, pipeline=PipelineFactory(members=[agent])
    )
    Opportunity.objects.filter(pk=card.pk).update(status=status, decided_at=at(day, month))
    return card


def goal(by, metric, target, agent=None, period="month", starts_on=NOV, kind="") -> Goal:
    return Goal.objects.create(
        agent=agent,
        metric=metric,
        target=target,
        period=period,
        starts_on=starts_on,
        activity_kind=kind,
        created_by=by,
    )


def done(owner, kind, day, person, **extra) -> Activity:
    return Activity.objects.create(
        kind=kind, subject="Hecho", person=person, owner=owner, created_by=owner, done_at=at(day), **extra
    )


def test_each_measure_counts_the_period_by_agent_and_for_the_team(manager, alice, bob):
    ExchangeRate.objects.create(
        currency="USD", on=datetime.date(2026, 1, 1), rate=Decimal("3.70"), created_by=manager
    )
    won(alice, 1000)
    won(alice, 100, "USD", day=30)
    won(bob, 500)
    won(alice, 9999, month=datetime.date(2026, 10, 1))  # the month before
    won(alice, 7777, status="lost")
    person = PersonFactory(owner=alice)
    people_services.person_set_stage(person=person, by=alice, stage="client")
    people_services.person_set_stage(person=PersonFactory(owner=bob), by=bob, stage="interested")
    from people.models import PersonEvent

    PersonEvent.objects.filter(person=person).update(at=at(9))
    done(alice, "call", 2, person)
    done(alice, "call", 3, person)
    done(alice, "visit", 3, person)
    done(alice, "call", 3, person, received=True)  # the customer's, not hers
    Activity.objects.create(
        kind="call", subject="Pendiente", person=person, owner=alice, created_by=alice, due_at=at(20)
    )
    goals = [
        goal(manager, "won_amount", 5000),
        goal(manager, "won_amount", 1000, agent=alice),
        goal(manager, "won_cards", 2, agent=bob),
        goal(manager, "new_clients", 4, period="quarter", starts_on=datetime.date(2026, 10, 1)),
        goal(manager, "activities", 10, agent=alice, kind="call"),
    ]
    measured = progress.measure(goals, manager, today=datetime.date(2026, 11, 10))
    actual = {(p.goal.metric, p.goal.agent_id): p.actual for p in measured}
    assert actual == {
        ("won_amount", None): Decimal("1870.00"),  # 1000 + 100 * 3.70 + 500
        ("won_amount", alice.pk): Decimal("1370.00"),
        ("won_cards", bob.pk): 1,
        ("new_clients", None): 1,
        ("activities", alice.pk): 2,
    }
    team = measured[0]
    # November has 30 days; by the end of the 10th a steady pace is at a third.
    assert (team.days, team.elapsed, team.days_left) == (30, 10, 21)
    assert team.expected == Decimal("1666.67")
    assert team.state == "ahead"
    assert team.left == Decimal("3130.00")
    assert team.pace == Decimal("149.05")  # 3130 / 21
    assert measured[1].state == "met"
    assert measured[1].pace is None
    assert measured[2].state == "ahead"  # 1 of 2 cards, at a third of the month
    assert measured[4].state == "behind"  # 2 of 10 calls: a steady pace would be at 3.33
    # An agent counts only their own records, whatever the goal says.
    mine = progress.measure([goals[0]], alice, today=datetime.date(2026, 11, 10))
    assert mine[0].actual == Decimal("1370.00")


def test_work_done_counts_for_whom_did_it_whatever_became_of_the_person(manager, alice, bob):
    person = PersonFactory(owner=alice)
    done(alice, "visit", 3, person)
    done(alice, "visit", 4, PersonFactory(owner=alice))
    people_services.people_reassign(ids=[person.pk], to=bob, by=manager)
    people_services.person_discard(person=person, by=manager)
    visits = goal(manager, "activities", 5, agent=alice, kind="visit")
    for viewer in (manager, alice):
        [measured] = progress.measure([visits], viewer, today=datetime.date(2026, 11, 10))
        assert measured.actual == 2
    # Bob counts no visit of Alice's, though the person is his now.
    [his] = progress.measure([goal(manager, "activities", 5, agent=bob, kind="visit")], bob, today=NOV)
    assert his.actual == 0


def test_counts_are_paced_per_week_and_amounts_per_day(manager, alice):
    from django.utils import translation

    calls = goal(manager, "activities", 20, agent=alice, kind="call")
    amount = goal(manager, "won_amount", 3000)
    with translation.override("es-pe"):
        by_week, by_day = progress.measure([calls, amount], manager, today=datetime.date(2026, 11, 10))
        assert (by_week.weekly, by_week.shown_pace) == (True, "6.7")  # 20 calls in 21 days
        assert (by_day.weekly, by_day.shown_pace) == (False, "S/\xa0142.86")
        last_days = progress.measure([calls], manager, today=datetime.date(2026, 11, 28))[0]
        assert (last_days.weekly, last_days.shown_pace) == (False, "6.67")  # 20 in 3 days
