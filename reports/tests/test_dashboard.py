"""Every dashboard chart's numbers against counts made another way."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from crm.tests.factories import ActivityFactory
from opportunities import services as opportunity_services
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people import services as people_services
from people.models import Person
from people.tests.factories import PersonFactory
from serviceorders import services as order_services
from serviceorders.models import ServiceOrder
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(alice, bob, manager):
    """A known team: people, a campaign, opportunities, activities, orders."""
    for stage, owner in [("prospect", alice), ("prospect", bob), ("interested", alice), ("client", alice)]:
        PersonFactory(owner=owner, stage=stage, source="referral" if owner == alice else "website")
    gone = PersonFactory(owner=alice, stage="client")
    gone.discarded_at = timezone.now()
    gone.discarded_by = alice
    gone.save()
    campaign = CampaignFactory(name="Verano")
    for status, agent in [("new", alice), ("converted", alice), ("interested", bob)]:
        CampaignMemberFactory(
            campaign=campaign, person=PersonFactory(owner=agent), agent=agent, status=status
        )
    board = PipelineFactory(members=[alice, bob])
    first = board.stages.order_by("position").first()
    for agent, amount in [(alice, 100), (alice, 250), (bob, 1000)]:
        OpportunityFactory(pipeline=board, stage=first, agent=agent, amount=amount)
    won = OpportunityFactory(pipeline=board, agent=alice)
    opportunity_services.opportunity_set_status(
        opportunity=won, by=alice, status="closed", invoice_number="F1"
    )
    lost = OpportunityFactory(pipeline=board, agent=bob)
    opportunity_services.opportunity_set_status(
        opportunity=lost, by=bob, status="lost", lost_reason="Precio", improvement="Cuotas"
    )
    for owner, kind in [(alice, "call"), (alice, "call"), (alice, "visit"), (bob, "email")]:
        ActivityFactory(person=PersonFactory(owner=owner), owner=owner, kind=kind)
    ActivityFactory(
        person=PersonFactory(owner=bob),
        owner=bob,
        done_at=None,
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    done = ServiceOrderFactory(assignee=alice)
    order_services.entry_add(order=done, by=alice, detail="ok", finished=True)
    order_services.order_verify(order=done, by=manager, comments="", closed=True, rating=4)
    ServiceOrderFactory(assignee=bob)
    return {"campaign": campaign, "board": board}


def _charts(client, **params):
    response = client.get(reverse("reports:dashboard"), params)
    return {chart.slug: chart.chart() for chart in response.context["charts"]}, response


def _series(chart, label=None):
    datasets = chart["datasets"]
    dataset = datasets[0] if label is None else next(d for d in datasets if d["label"] == label)
    return dict(zip(chart["labels"], dataset["data"], strict=True))


def test_manager_dashboard_agrees_with_the_lists(manager_client, data):
    charts, response = _charts(manager_client)
    stages = _series(charts["people-by-stage"])
    for value, label in Person.Stage.choices:
        assert stages[label] == Person.objects.filter(discarded_at=None, stage=value).count()
    referrals = next(d for d in charts["new-people-by-source"]["datasets"] if d["label"] == "Referral")
    assert sum(referrals["data"]) == Person.objects.filter(discarded_at=None, source="referral").count()
    funnel = charts["campaign-funnels"]
    assert funnel["labels"] == ["Verano"]
    assert _series(funnel, "Converted to client")["Verano"] == 1
    assert _series(funnel, "Interested")["Verano"] == 1
    by_stage = charts["opportunities-by-stage"]
    first = data["board"].stages.order_by("position").first()
    label = f"{data['board'].name} · {first.name}"
    open_cards = Opportunity.objects.filter(stage=first).exclude(status__in=["closed", "lost"])
    assert _series(by_stage, "Opportunities")[label] == open_cards.count()
    assert _series(by_stage, "Amount (PEN)")[label] == float(sum(o.amount for o in open_cards))
    statuses = _series(charts["opportunities-by-status"])
    assert statuses["Closed (won)"] == 1
    assert statuses["Lost"] == 1
    won_lost = charts["won-lost"]
    assert sum(_series(won_lost, "Won").values()) == 1
    assert sum(_series(won_lost, "Lost").values()) == 1
    assert response.context["lost_reasons"] == [("precio", 1)]
    per_week = charts["activities-per-week"]
    assert (
        sum(_series(per_week, "Call").values())
        == Activity.objects.filter(kind="call", done_at__isnull=False).count()
    )
    per_agent = charts["activities-per-agent"]
    assert (
        sum(sum(d["data"]) for d in per_agent["datasets"]) == Activity.objects.exclude(done_at=None).count()
    )
    overdue = _series(charts["overdue-reminders"])
    assert sum(overdue.values()) == 1
    orders = _series(charts["orders-by-status"])
    assert orders["Verified"] == 1
    assert orders["Pending"] == ServiceOrder.objects.filter(status="pending").count()
    assert float(response.context["order_figures"]["rating"]) == 4.0


def test_an_agent_sees_their_own_records_only(alice_client, alice, data):
    charts, _response = _charts(alice_client)
    stages = _series(charts["people-by-stage"])
    assert sum(stages.values()) == Person.objects.filter(discarded_at=None, owner=alice).count()
    assert sum(sum(d["data"]) for d in charts["activities-per-agent"]["datasets"]) == 3
    assert charts["activities-per-agent"]["labels"] == [alice.name]
    assert sum(_series(charts["orders-by-status"]).values()) == 1
    assert sum(_series(charts["opportunities-by-stage"], "Amount (PEN)").values()) == 350.0


def test_agent_filter_and_date_range_apply_to_every_chart(manager_client, alice, data):
    charts, _response = _charts(manager_client, agent=alice.pk)
    assert charts["activities-per-agent"]["labels"] == [alice.name]
    assert sum(_series(charts["overdue-reminders"]).values()) == 0
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    later = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    empty, _response = _charts(manager_client, date_from=future, date_to=later)
    assert sum(_series(empty["people-by-stage"]).values()) == 0
    assert sum(_series(empty["orders-by-status"]).values()) == 0


def test_the_campaign_funnel_of_one_agent_counts_their_members(manager_client, alice, bob, data):
    funnel = _charts(manager_client, agent=bob.pk)[0]["campaign-funnels"]
    assert _series(funnel, "Interested")["Verano"] == 1
    assert _series(funnel, "Converted to client")["Verano"] == 0  # alice's member


def test_an_agent_cannot_look_at_another_agents_figures(alice_client, bob, data):
    charts, _response = _charts(alice_client, agent=bob.pk)
    assert charts["activities-per-agent"]["labels"] != [bob.name]


def test_chart_json_views(manager_client, data):
    response = manager_client.get(reverse("reports:chart", args=["people-by-stage"]))
    payload = json.loads(response.content)
    assert payload["type"] == "pie"
    assert set(payload) >= {"labels", "datasets"}
    assert manager_client.get(reverse("reports:chart", args=["nope"])).status_code == 404


def test_every_chart_has_its_numbers_in_a_table(manager_client, data):
    content = manager_client.get(reverse("reports:dashboard")).content.decode()
    assert content.count("<canvas") == content.count('data-table="')
    assert 'type="application/json"' in content


@pytest.mark.parametrize("size", [1, 3])
def test_dashboard_query_count_is_fixed(manager_client, alice, bob, manager, django_assert_num_queries, size):
    from goals.models import Goal

    month = timezone.localdate().replace(day=1)
    for index in range(size):
        PersonFactory.create_batch(5, owner=alice)
        ActivityFactory.create_batch(5, person=PersonFactory(owner=alice), owner=alice)
        ServiceOrderFactory.create_batch(2, assignee=alice)
        # Goals on every measure, the team's and the agents'.
        for metric, kind in (
            ("won_amount", ""),
            ("won_cards", ""),
            ("new_clients", ""),
            ("activities", "call"),
        ):
            Goal.objects.create(
                agent=[None, alice, bob][index],
                metric=metric,
                activity_kind=kind,
                starts_on=month,
                target=10,
                created_by=manager,
            )
    with django_assert_num_queries(27):
        assert manager_client.get(reverse("reports:dashboard")).status_code == 200


def people_by_stage(response) -> list:
    chart = next(c for c in response.context["charts"] if c.slug == "people-by-stage")
    return chart.chart()["datasets"][0]["data"]


def test_a_change_shows_on_the_next_load(manager_client, alice_client, bob_client, alice):
    url = reverse("reports:dashboard")
    person = PersonFactory(owner=alice, stage="prospect")
    assert people_by_stage(manager_client.get(url)) == [1, 0, 0]
    PersonFactory(owner=alice, stage="prospect")
    people_services.person_set_stage(person=person, by=alice, stage="client")
    assert people_by_stage(manager_client.get(url)) == [1, 0, 1]
    people_services.person_discard(person=person, by=alice)
    assert people_by_stage(manager_client.get(url)) == [1, 0, 0]
    # Agents never share figures: each sees their own.
    assert people_by_stage(alice_client.get(url)) == [1, 0, 0]
    assert people_by_stage(bob_client.get(url)) == [0, 0, 0]


def test_an_agents_cards_count_on_the_boards_they_belong_to_only(alice_client, alice, bob):
    ours, theirs = PipelineFactory(members=[alice]), PipelineFactory(members=[bob])
    OpportunityFactory(pipeline=ours, agent=alice, amount=100)
    OpportunityFactory(pipeline=theirs, agent=alice, amount=900)  # her card on a board she left
    charts, _response = _charts(alice_client)
    assert sum(_series(charts["opportunities-by-status"]).values()) == 1
    assert sum(_series(charts["opportunities-by-stage"], "Amount (PEN)").values()) == 100.0
