import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from crm.tests.factories import ActivityFactory
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_activities_report_totals_by_user_and_kind(manager_client, alice, bob):
    ActivityFactory.create_batch(2, person=PersonFactory(owner=alice), owner=alice, kind="call")
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob, kind="visit")
    response = manager_client.get(reverse("reports:activities"), {"owner": "", "status": ""})
    totals = {(r["owner__name"], r["kind"]): r["n"] for r in response.context["totals"]}
    assert totals == {(alice.name, "call"): 2, (bob.name, "visit"): 1}
    assert len(response.context["page"]) == 3
    assert "d-print-block" in response.content.decode()  # the print header with title, filters and date


def test_opportunities_report_totals_by_status(manager_client, alice):
    board = PipelineFactory()
    OpportunityFactory(pipeline=board, agent=alice, amount=100)
    OpportunityFactory(pipeline=board, agent=alice, amount=50)
    totals = list(manager_client.get(reverse("reports:opportunities")).context["totals"])
    assert totals == [{"status": "new", "currency": "PEN", "n": 2, "amount": 150}]


def test_campaigns_report_on_screen_and_as_spreadsheets(manager_client, alice):
    campaign = CampaignFactory(name="Primavera")
    for status in ("converted", "interested", "new"):
        member = CampaignMemberFactory(campaign=campaign, status=status)
        ActivityFactory(person=member.person, owner=member.agent, campaign=campaign)
    row = manager_client.get(reverse("reports:campaigns")).context["page"][0]
    assert (row.member_count, row.interested, row.converted, row.activity_count) == (3, 1, 1, 3)
    content = b"".join(manager_client.get(reverse("reports:campaigns"), {"format": "csv"}).streaming_content)
    assert b"Primavera" in content
    assert b"33.3" in content
    xlsx = manager_client.get(reverse("reports:campaigns"), {"format": "xlsx"})
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_reports_are_scoped(alice_client, alice, bob):
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob)
    assert len(alice_client.get(reverse("reports:activities"), {"status": ""}).context["page"]) == 0
    CampaignFactory(owner=bob)
    assert len(alice_client.get(reverse("reports:campaigns")).context["page"]) == 0


@pytest.mark.parametrize("count", [1, 20])
def test_report_pages_query_counts(manager_client, alice, django_assert_max_num_queries, count):
    board = PipelineFactory()
    for _ in range(count):
        OpportunityFactory(pipeline=board, agent=alice)
        campaign = CampaignFactory()
        CampaignMemberFactory(campaign=campaign)
        ActivityFactory(person=PersonFactory(owner=alice), owner=alice)
    for name in ("reports:activities", "reports:opportunities", "reports:campaigns"):
        with django_assert_max_num_queries(12):
            assert manager_client.get(reverse(name)).status_code == 200


def test_printed_reports_name_their_filters_as_the_user_chose_them(manager_client, alice):
    board = PipelineFactory(name="Ventas Lima")
    OpportunityFactory(pipeline=board, agent=alice)
    html = manager_client.get(
        reverse("reports:opportunities"), {"status": "closed", "pipeline": board.pk, "page": "1"}
    ).content.decode()
    header = html[html.index("d-print-block") : html.index("</div>", html.index("d-print-block"))]
    assert "Status: Closed (won) · Board: Ventas Lima" in header
    assert "status=" not in header
    unfiltered = manager_client.get(reverse("reports:campaigns")).content.decode()
    assert "Filters: none" in unfiltered
    orders = manager_client.get(reverse("serviceorders:reports"), {"status": "done"}).content.decode()
    assert "Status: Done" in orders
