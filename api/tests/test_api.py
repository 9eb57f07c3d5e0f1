"""The REST API: tokens, scoping identical to the pages, writes through the same
forms and services, transitions refused as on the pages, the schema."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from api.models import ApiToken
from companies.tests.factories import CompanyFactory
from crm.tests.factories import ActivityFactory
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    _token, text = ApiToken.issue(user=user, name="script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


@pytest.fixture
def alice_api(alice):
    return _client(alice)


@pytest.fixture
def bob_api(bob):
    return _client(bob)


@pytest.fixture
def manager_api(manager):
    return _client(manager)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_tokens_are_created_shown_once_and_revoked(alice_client, alice):
    page = alice_client.post(reverse("api:tokens"), {"name": "Formulario web"})
    text = page.context["created"]
    assert text.startswith("crm_")
    assert text in page.content.decode()
    token = ApiToken.objects.get()
    assert text not in alice_client.get(reverse("api:tokens")).content.decode()
    assert token.digest not in text  # only a digest is kept
    api = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert api.get("/api/v1/people/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    alice_client.post(reverse("api:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/people/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer crm_nope_nope").get("/api/v1/people/").status_code == 401
    assert Client().get("/api/v1/people/").status_code in (401, 403)


def test_a_token_sees_exactly_what_its_user_sees(alice_api, bob_api, manager_api, alice, bob):
    board = PipelineFactory(members=[alice, bob])
    hers, his = PersonFactory(owner=alice), PersonFactory(owner=bob)
    her_company, his_company = CompanyFactory(owner=alice), CompanyFactory(owner=bob)
    her_card = OpportunityFactory(pipeline=board, agent=alice)
    his_card = OpportunityFactory(pipeline=board, agent=bob)
    assert _ids(alice_api.get("/api/v1/people/")) == {hers.pk, her_card.contact_id}
    assert his.pk in _ids(manager_api.get("/api/v1/people/"))
    assert _ids(alice_api.get("/api/v1/companies/")) == {her_company.pk}
    assert his_company.pk in _ids(manager_api.get("/api/v1/companies/"))
    assert _ids(alice_api.get("/api/v1/opportunities/")) == {her_card.pk}
    assert _ids(manager_api.get("/api/v1/opportunities/")) == {her_card.pk, his_card.pk}
    # Another agent's record answers 404, read or written.
    for url in (
        f"/api/v1/people/{his.pk}/",
        f"/api/v1/companies/{his_company.pk}/",
        f"/api/v1/opportunities/{his_card.pk}/",
    ):
        assert alice_api.get(url).status_code == 404
        assert alice_api.patch(url, {"city": "Cusco"}, content_type="application/json").status_code == 404
    assert alice_api.post(f"/api/v1/people/{his.pk}/discard/").status_code == 404
    assert Person.objects.get(pk=his.pk).discarded_at is None


def test_lists_use_the_pages_filters_and_cursor_pages(alice_api, alice):
    for n in range(5):
        PersonFactory(owner=alice, city="Lima" if n % 2 else "Cusco", first_name=f"P{n}")
    cusco = alice_api.get("/api/v1/people/", {"q": "cusco"})
    assert len(cusco.json()["results"]) == 3
    first = alice_api.get("/api/v1/people/", {"page_size": 2}).json()
    assert len(first["results"]) == 2
    second = alice_api.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_writes_follow_the_pages_rules(alice_api, alice, bob):
    response = alice_api.post(
        "/api/v1/people/",
        {
            "first_name": "Rosa",
            "last_name": "Pérez",
            "phone": "987 654 321",
            "country": "PE",
            "owner": bob.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    rosa = Person.objects.get(first_name="Rosa")
    assert (rosa.phone, rosa.owner) == ("+51987654321", alice)  # E.164; an agent owns what they create
    # The same phone again is a possible duplicate, unless confirmed.
    again = alice_api.post(
        "/api/v1/people/", {"first_name": "Rosa", "phone": "+51 987 654 321"}, content_type="application/json"
    )
    assert again.status_code == 400
    assert "confirm_duplicate" in again.json()
    bad = alice_api.post(
        "/api/v1/people/", {"first_name": "", "email": "nope"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"first_name", "email"}
    # A partial update keeps what it does not name.
    patched = alice_api.patch(
        f"/api/v1/people/{rosa.pk}/", {"city": "Cusco"}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    rosa.refresh_from_db()
    assert (rosa.city, rosa.first_name, rosa.phone) == ("Cusco", "Rosa", "+51987654321")
    discarded = alice_api.post(
        f"/api/v1/people/{rosa.pk}/discard/", {"reason": "Duplicado"}, content_type="application/json"
    )
    assert discarded.status_code == 200
    rosa.refresh_from_db()
    assert rosa.discard_reason == "Duplicado"


def test_opportunity_transitions_are_refused_as_on_the_pages(alice_api, alice, bob):
    board = PipelineFactory(members=[alice])
    created = alice_api.post(
        "/api/v1/opportunities/",
        {
            "pipeline": board.pk,
            "subject": "Fibra",
            "contact": PersonFactory(owner=alice).pk,
            "type": "new_sale",
            "agent": alice.pk,
            "currency": "PEN",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    card = Opportunity.objects.get()
    url = f"/api/v1/opportunities/{card.pk}/status/"
    refused = alice_api.post(url, {"status": "waiting"}, content_type="application/json")
    assert refused.status_code == 400
    assert "Write the follow-up comment" in str(refused.json())
    closed = alice_api.post(url, {"status": "closed"}, content_type="application/json")
    assert closed.status_code == 400
    card.refresh_from_db()
    assert card.status == "new"
    ok = alice_api.post(
        url, {"status": "working", "comment": "Llamó, quiere demo"}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "working"
    other_board = PipelineFactory(members=[bob])
    moved = alice_api.post(
        f"/api/v1/opportunities/{card.pk}/move/",
        {"stage": other_board.stages.first().pk},
        content_type="application/json",
    )
    assert moved.status_code == 400
    assert (
        alice_api.post(
            "/api/v1/opportunities/",
            {"pipeline": other_board.pk, "subject": "x"},
            content_type="application/json",
        ).status_code
        == 400
    )


def test_activities_and_reminders(alice_api, alice, bob):
    person = PersonFactory(owner=alice)
    response = alice_api.post(
        "/api/v1/activities/",
        {
            "person": person.pk,
            "kind": "call",
            "subject": "Llamada",
            "done": False,
            "due_at": "2030-01-01T10:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    reminder = Activity.objects.get()
    assert _ids(alice_api.get("/api/v1/reminders/")) == {reminder.pk}
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob, done_at=None, due_at=reminder.due_at)
    assert _ids(alice_api.get("/api/v1/reminders/")) == {reminder.pk}
    done = alice_api.post(f"/api/v1/activities/{reminder.pk}/done/")
    assert done.json()["done_at"] is not None
    missing = alice_api.post(
        "/api/v1/activities/", {"kind": "call", "subject": "x"}, content_type="application/json"
    )
    assert missing.status_code == 400


def test_the_schema_describes_every_endpoint(alice_client):
    response = alice_client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/people/",
        "/api/v1/companies/",
        "/api/v1/opportunities/{id}/status/",
        "/api/v1/reminders/",
    ):
        assert path in paths
    assert alice_client.get(reverse("api:docs")).status_code == 200


def test_tokens_are_rate_limited(alice, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    from api.throttling import TokenRateThrottle

    TokenRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/minute"}
    try:
        api = _client(alice)
        codes = [api.get("/api/v1/tags/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert _client(alice).get("/api/v1/tags/").status_code == 200  # another token has its own limit
    finally:
        TokenRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()


def test_memberships_campaigns_members_and_orders(alice_api, bob_api, alice, bob):
    from campaigns.models import CampaignMember
    from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
    from companies.models import Membership
    from serviceorders.models import ServiceOrder
    from serviceorders.tests.factories import ServiceOrderFactory

    person, company = PersonFactory(owner=alice), CompanyFactory(owner=alice)
    joined = alice_api.post(
        "/api/v1/memberships/",
        {"person": person.pk, "company": company.pk, "position": "Gerente"},
        content_type="application/json",
    )
    assert joined.status_code == 201, joined.content
    membership = Membership.objects.get()
    assert _ids(bob_api.get("/api/v1/memberships/")) == set()
    assert bob_api.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 404
    assert alice_api.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204

    campaign = CampaignFactory(owner=alice)
    added = alice_api.post(
        f"/api/v1/campaigns/{campaign.pk}/members/", {"person": person.pk}, content_type="application/json"
    )
    assert added.status_code == 201, added.content
    member = CampaignMember.objects.get()
    assert _ids(alice_api.get("/api/v1/campaign-members/")) == {member.pk}
    assert (
        bob_api.post(
            f"/api/v1/campaigns/{campaign.pk}/members/",
            {"person": person.pk},
            content_type="application/json",
        ).status_code
        == 404
    )
    bobs = PersonFactory(owner=bob)
    refused = alice_api.post(
        f"/api/v1/campaigns/{campaign.pk}/members/", {"person": bobs.pk}, content_type="application/json"
    )
    assert refused.status_code == 400  # not hers to add
    status_ = alice_api.post(
        f"/api/v1/campaign-members/{member.pk}/status/",
        {"status": "interested"},
        content_type="application/json",
    )
    assert status_.json()["status"] == "interested"
    CampaignMemberFactory(campaign=CampaignFactory(owner=bob), person=bobs)
    assert _ids(alice_api.get("/api/v1/campaign-members/")) == {member.pk}

    order = ServiceOrderFactory(assignee=alice, company=company)
    his_order = ServiceOrderFactory(assignee=bob)
    listed = alice_api.get("/api/v1/orders/").json()["results"]
    assert [o["number"] for o in listed] == [order.number]
    assert alice_api.get(f"/api/v1/orders/{his_order.number}/").status_code == 404
    entry = alice_api.post(
        f"/api/v1/orders/{order.number}/entries/",
        {"detail": "Router cambiado", "finished": True},
        content_type="application/json",
    )
    assert entry.status_code == 201, entry.content
    assert entry.json()["status"] == "done"
    assert [e["detail"] for e in entry.json()["entries"]] == ["Router cambiado"]
    empty = alice_api.post(
        f"/api/v1/orders/{order.number}/entries/", {"detail": ""}, content_type="application/json"
    )
    assert empty.status_code == 400
    created = alice_api.post(
        "/api/v1/orders/",
        {"company": company.pk, "detail": "Instalar antena", "priority": "normal", "assignee": alice.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert ServiceOrder.objects.filter(detail="Instalar antena", assignee=alice).exists()


def test_campaigns_and_tags_are_written_as_on_their_pages(alice_api, bob_api, manager_api, alice, bob):
    from campaigns.models import Campaign
    from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory

    created = alice_api.post(
        "/api/v1/campaigns/",
        {
            "name": "Verano",
            "product_name": "Fibra 300",
            "currency": "PEN",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 400  # ends before it starts
    created = alice_api.post(
        "/api/v1/campaigns/",
        {
            "name": "Verano",
            "product_name": "Fibra 300",
            "currency": "PEN",
            "starts_on": "2026-12-01",
            "ends_on": "2027-02-28",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    campaign = Campaign.objects.get(name="Verano")
    assert campaign.owner == alice
    # Bob works a member of it: he sees it but may not change it.
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=bob), agent=bob)
    assert bob_api.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200
    assert (
        bob_api.patch(
            f"/api/v1/campaigns/{campaign.pk}/", {"name": "Mío"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        manager_api.patch(
            f"/api/v1/campaigns/{campaign.pk}/", {"name": "Verano 2027"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert bob_api.get(f"/api/v1/campaigns/{CampaignFactory(owner=alice).pk}/").status_code == 404

    assert (
        alice_api.post(
            "/api/v1/tags/", {"name": "VIP", "color": "red"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_administrators_create_tags(admin_user):
    api = _client(admin_user)
    assert (
        api.post(
            "/api/v1/tags/", {"name": "VIP", "color": "red"}, content_type="application/json"
        ).status_code
        == 201
    )
    again = api.post("/api/v1/tags/", {"name": "vip", "color": "blue"}, content_type="application/json")
    assert again.status_code == 400


def _world(alice, n: int) -> None:
    """``n`` more of everything the list endpoints show, with what each row carries."""
    from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
    from companies.tests.factories import MembershipFactory
    from people.tests.factories import TagFactory
    from serviceorders.tests.factories import ServiceOrderFactory

    board = PipelineFactory(members=[alice])
    for _ in range(n):
        person = PersonFactory(owner=alice)
        person.tags.add(TagFactory())
        company = CompanyFactory(owner=alice)
        MembershipFactory(person=person, company=company)
        card = OpportunityFactory(pipeline=board, agent=alice, contact=person)
        card.tags.add(TagFactory())
        ActivityFactory(person=person, owner=alice)
        ActivityFactory(person=person, owner=alice, done_at=None, due_at=card.created_at)
        CampaignMemberFactory(campaign=CampaignFactory(owner=alice), person=person, agent=alice)
        ServiceOrderFactory(assignee=alice, company=company, contact=person)


def test_list_endpoints_take_a_fixed_number_of_queries(alice_api, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    endpoints = [
        "people", "companies", "tags", "opportunities", "activities", "reminders",
        "memberships", "campaigns", "campaign-members", "orders", "erasures",
    ]  # fmt: skip

    def queries() -> dict[str, int]:
        counted = {}
        for name in endpoints:
            with CaptureQueriesContext(connection) as captured:
                assert alice_api.get(f"/api/v1/{name}/").status_code == 200
            counted[name] = len(captured)
        return counted

    _world(alice, 1)
    alice_api.get("/api/v1/tags/")  # a token's first use is noted once, not on every call
    few = queries()
    _world(alice, 14)
    assert queries() == few
    assert max(few.values()) <= 12
