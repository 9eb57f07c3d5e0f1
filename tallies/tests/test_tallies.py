"""The dashboard's tallies (tallies.triggers): the triggers keep them equal to counting the
records afresh, whatever changed them, and days follow the team's time zone."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from crm import services as crm_services
from crm.tests.factories import ActivityFactory
from opportunities import services as opportunity_services
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people import services as people_services
from people.models import Person
from people.tests.factories import PersonFactory
from serviceorders import services as order_services
from serviceorders.tests.factories import ServiceOrderFactory
from tallies import triggers as tallies
from tallies.models import ActivityTally, PeopleTally, TallyState

pytestmark = pytest.mark.django_db


def kept() -> dict[str, list[tuple]]:
    """Every tally's rows that count something, as the triggers left them."""
    out = {}
    with connection.cursor() as cursor:
        for spec in tallies.SPECS:
            keys = ", ".join(column for column, _sql in spec.keys)
            sums = ", ".join(column for column, _sql in spec.sums)
            nonzero = " OR ".join(f"{column} <> 0" for column, _sql in spec.sums)
            cursor.execute(f"SELECT {keys}, {sums} FROM {spec.table} WHERE {nonzero} ORDER BY {keys}")
            out[spec.table] = cursor.fetchall()
    return out


def test_the_triggers_keep_what_a_rebuild_counts(alice, bob, manager):
    people = PersonFactory.create_batch(4, owner=alice, stage="prospect", source="referral")
    people_services.person_set_stage(person=people[0], by=alice, stage="client")
    due = timezone.now() - datetime.timedelta(days=2)
    for person in (people[1], people[3]):  # open reminders of people discarded below
        ActivityFactory(person=person, owner=alice, kind="call", done_at=None, due_at=due)
    people_services.person_discard(person=people[1], by=alice)
    Person.objects.filter(pk=people[2].pk).update(owner=bob, source="website")  # a bulk change
    campaign = CampaignFactory()
    member = CampaignMemberFactory(campaign=campaign, person=people[3], agent=alice, status="new")
    CampaignMemberFactory(campaign=campaign, person=people[1], agent=alice, status="contacted")
    member.status = "interested"
    member.save()
    people_services.person_discard(person=people[3], by=alice)  # their membership leaves the funnel
    people_services.person_restore(person=people[1], by=manager)  # and theirs comes back
    board = PipelineFactory(members=[alice, bob])
    cards = [OpportunityFactory(pipeline=board, agent=alice, amount=amount) for amount in (100, 250, None)]
    opportunity_services.opportunity_set_status(
        opportunity=cards[0], by=alice, status="closed", invoice_number="F1"
    )
    opportunity_services.opportunity_set_status(
        opportunity=cards[1], by=alice, status="lost", lost_reason="Precio", improvement="Cuotas"
    )
    Opportunity.objects.filter(pk=cards[2].pk).update(archived=True, amount=75)
    OpportunityFactory(pipeline=board, agent=bob, amount=40)
    call = ActivityFactory(person=people[0], owner=alice, kind="call")
    ActivityFactory(person=people[0], owner=bob, kind="visit", done_at=None, due_at=timezone.now())
    call.kind = "visit"
    call.save()
    order = ServiceOrderFactory(assignee=alice)
    order_services.entry_add(order=order, by=alice, detail="ok", finished=True)
    order_services.order_verify(order=order, by=manager, comments="", closed=True, rating=5)
    ServiceOrderFactory(assignee=bob).delete()

    by_triggers = kept()
    assert by_triggers["tallies_peopletally"]  # something was counted
    assert sum(row[-1] for row in by_triggers["tallies_membertally"]) == 1
    assert sum(row[-2] for row in by_triggers["tallies_cardtally"]) == 4
    # people[1]'s reminder came back with them, people[3]'s left; bob's is not of a discarded person.
    assert sum(row[-1] for row in by_triggers["tallies_remindertally"]) == 2
    # Only bob's card is open: the won, the lost and the archived ones are not.
    assert [row[-2:] for row in by_triggers["tallies_opencardtally"]] == [(1, Decimal("40.00"))]
    tallies.rebuild()
    assert kept() == by_triggers


def test_days_follow_the_team_time_zone(alice, admin_user, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    # 03:00 UTC on the 2nd is still the 1st in Lima (UTC-5) and already the 2nd in Madrid.
    at = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=at)
    Person.objects.update(created_at=at)
    assert set(PeopleTally.objects.filter(n__gt=0).values_list("day", flat=True)) == {
        datetime.date(2026, 3, 1)
    }
    with django_capture_on_commit_callbacks(execute=True):
        crm_services.team_settings_save(by=admin_user, time_zone="Europe/Madrid")
    assert DBTaskResult.objects.filter(task_path="tallies.tasks.ensure_tallies").exists()
    assert tallies.ensure() is True  # what the worker runs
    assert set(PeopleTally.objects.filter(n__gt=0).values_list("day", flat=True)) == {
        datetime.date(2026, 3, 2)
    }
    assert set(ActivityTally.objects.filter(n__gt=0).values_list("day", flat=True)) == {
        datetime.date(2026, 3, 2)
    }
    assert TallyState.objects.get().zone == "Europe/Madrid"
    assert tallies.ensure() is False  # nothing changed since


def test_each_trigger_counts_by_its_tally_key():
    """The triggers' upsert names the same columns as the tally's unique key (ON CONFLICT needs it)."""
    from django.apps import apps

    for spec in tallies.SPECS:
        model = next(m for m in apps.get_app_config("tallies").get_models() if m._meta.db_table == spec.table)
        assert [column for column, _sql in spec.keys] == list(model._meta.constraints[0].fields)
        assert {column for column, _sql in spec.sums} <= {field.column for field in model._meta.fields}


def _reads(tables: list[str]) -> dict[str, int]:
    """How many times this transaction has scanned each table (sequentially or by an index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        return dict(cursor.fetchall())


def test_a_change_that_discards_nobody_reads_no_members_or_activities(alice):
    """An import's or a bulk change's updates (thousands of people at once) skip the memberships
    and reminders that only a discard or a restore moves: joined as a whole, the planner read
    every activity to find none (2.8 s for 1,100 people at 3 M activities)."""
    people = PersonFactory.create_batch(5, owner=alice)
    CampaignMemberFactory(person=people[0], campaign=CampaignFactory(owner=alice), agent=alice)
    ActivityFactory(person=people[1], owner=alice, done_at=None, due_at=timezone.now())
    watched = ["crm_activity", "campaigns_campaignmember"]
    before = _reads(watched)
    Person.objects.filter(pk__in=[p.pk for p in people]).update(city="Cusco", updated_at=timezone.now())
    assert _reads(watched) == before
    # A discard still moves them (what the tallies count is checked against a rebuild above).
    Person.objects.filter(pk=people[1].pk).update(discarded_at=timezone.now())
    assert _reads(watched) != before


def test_one_statement_that_discards_some_and_restores_others_keeps_every_tally(alice, bob):
    """A bulk change sees thousands of people in one statement: the ones it discards take their
    members and reminders out, the ones it restores bring theirs back, the rest move nothing."""
    due = timezone.now() + datetime.timedelta(days=1)
    campaign = CampaignFactory(owner=alice)
    active, discarded, untouched = (PersonFactory(owner=alice) for _ in range(3))
    for person in (active, discarded, untouched):
        CampaignMemberFactory(person=person, campaign=campaign, agent=alice, status="new")
        ActivityFactory(person=person, owner=bob, kind="call", done_at=None, due_at=due)
    Person.objects.filter(pk=discarded.pk).update(discarded_at=timezone.now())
    now = timezone.now()
    Person.objects.filter(pk__in=[active.pk, discarded.pk, untouched.pk]).update(
        discarded_at=Case(
            When(pk=active.pk, then=Value(now)),
            When(pk=discarded.pk, then=Value(None)),
            default=F("discarded_at"),
        ),
        city="Cusco",
    )
    by_triggers = kept()
    assert sum(row[-1] for row in by_triggers["tallies_membertally"]) == 2  # discarded's and untouched's
    assert sum(row[-1] for row in by_triggers["tallies_remindertally"]) == 2
    tallies.rebuild()
    assert kept() == by_triggers
