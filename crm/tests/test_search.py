"""The global search: one box, every kind of record the user may see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from crm.search import search
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.services import person_discard
from people.tests.factories import PersonFactory
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db

DROPDOWN = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "global-search-results"}


def _titles(user, term: str) -> dict[str, list[str]]:
    return {group.key: [hit.title for hit in group.hits] for group in search(user, term)}


def test_people_by_name_without_accents_email_and_phone_in_any_format(alice):
    PersonFactory(
        owner=alice, first_name="José", last_name="Ñáñez", email="jose@andes.pe", mobile="+51987654321"
    )
    assert _titles(alice, "jose nanez") == {"people": ["José Ñáñez"]}
    assert _titles(alice, "Jose@Andes.pe")["people"] == ["José Ñáñez"]
    assert _titles(alice, "987 654 321")["people"] == ["José Ñáñez"]
    assert _titles(alice, "+51 (987) 654-321")["people"] == ["José Ñáñez"]


def test_companies_opportunities_campaigns_and_orders(alice, manager):
    company = CompanyFactory(owner=alice, name="Ferretería Los Andes", phone="+5511987654321")
    OpportunityFactory(
        pipeline=PipelineFactory(members=[alice]),
        agent=alice,
        subject="Renovación de licencias Andes",
        invoice_number="F001-77",
    )
    CampaignFactory(owner=alice, name="Andes invierno", product_name="Routers")
    order = ServiceOrderFactory(assignee=alice, company=company, detail="Cambiar el router del almacén")

    found = _titles(alice, "andes")
    assert found["companies"] == ["Ferretería Los Andes"]
    assert found["opportunities"] == ["Renovación de licencias Andes"]
    assert found["campaigns"] == ["Andes invierno"]
    assert _titles(alice, company.tax_id)["companies"] == ["Ferretería Los Andes"]
    assert _titles(alice, "(11) 98765-4321")["companies"] == ["Ferretería Los Andes"]
    assert _titles(alice, "F001-77")["opportunities"] == ["Renovación de licencias Andes"]
    assert _titles(alice, f"#{order.number}")["orders"] == [f"#{order.number} · Ferretería Los Andes"]
    assert _titles(alice, "almacen")["orders"] == [f"#{order.number} · Ferretería Los Andes"]


def test_only_what_the_user_may_see_and_never_discarded_people(alice, bob, manager):
    PersonFactory(owner=bob, first_name="Rosa", last_name="Quispe")
    CompanyFactory(owner=bob, name="Quispe Hermanos")
    OpportunityFactory(agent=bob, subject="Quispe ampliación")
    ServiceOrderFactory(assignee=bob, detail="Quispe: revisar antena")
    gone = PersonFactory(owner=alice, first_name="Raúl", last_name="Quispe")
    person_discard(person=gone, by=alice, reason="Duplicado")

    assert _titles(alice, "quispe") == {}
    found = _titles(manager, "quispe")
    assert found["people"] == ["Rosa Quispe"]
    assert set(found) == {"people", "companies", "opportunities", "orders"}


def test_the_box_answers_as_you_type_grouped_with_links_to_every_list(alice_client, alice):
    for n in range(7):
        PersonFactory(owner=alice, first_name=f"Lucía {n}", last_name="Mamani")
    response = alice_client.get(reverse("crm:search"), {"q": "mamani"}, **DROPDOWN)
    page = response.content.decode()
    assert "<html" not in page
    assert page.count("Mamani") == 5
    assert reverse("people:list") + "?q=mamani" in page
    # The search page shows more of each kind.
    assert alice_client.get(reverse("crm:search"), {"q": "mamani"}).content.decode().count("Mamani") == 7
    nothing = alice_client.get(reverse("crm:search"), {"q": "zzzz"}, **DROPDOWN).content.decode()
    assert "Nothing you may see matches “zzzz”." in nothing
    assert alice_client.get(reverse("crm:search"), {"q": "m"}, **DROPDOWN).content.decode().strip() == ""


def test_names_are_shown_as_text(alice_client, alice):
    PersonFactory(owner=alice, first_name="<script>alert(1)</script>", last_name="Condori")
    page = alice_client.get(reverse("crm:search"), {"q": "condori"}, **DROPDOWN).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_results_take_a_fixed_number_of_queries(alice_client, alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert alice_client.get(reverse("crm:search"), {"q": "andes"}, **DROPDOWN).status_code == 200
        return len(context)

    board = PipelineFactory(members=[alice])

    def records(n: int) -> None:
        for i in range(n):
            company = CompanyFactory(owner=alice, name=f"Andes {i}")
            PersonFactory(owner=alice, first_name="Andes", last_name=str(i))
            OpportunityFactory(pipeline=board, agent=alice, subject=f"Andes {i}")
            CampaignFactory(owner=alice, name=f"Andes {i}")
            ServiceOrderFactory(assignee=alice, company=company, detail="andes")

    # At most three queries for each of people, companies and opportunities (see
    # crm.pagination.first_matches), one for campaigns and orders, two for the session, one for the team settings.
    records(1)
    assert queries() <= 14
    records(8)
    assert queries() <= 14


def test_a_search_looks_for_matches_without_the_joins_of_what_it_shows(alice):
    # A card's hit shows its board and stage, a person's nothing joined: the rows read to find
    # the matches (up to two thousand, each tested) are the records' own, and only the hits
    # found are read with their joins — at a million people the joins cost an agent's search
    # an index lookup for each of its 6,667 cards.
    OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice, subject="Renovación Andes")
    with CaptureQueriesContext(connection) as context:
        found = search(alice, "andes")
    shown = {group.key: [(hit.title, hit.detail) for hit in group.hits] for group in found}
    assert shown["opportunities"][0][0] == "Renovación Andes"
    assert " · " in shown["opportunities"][0][1]  # the board and the stage
    windows = [query["sql"] for query in context.captured_queries if 'AS "hit"' in query["sql"]]
    assert windows
    for window in windows:  # (the agent's boards are a subquery of the access rule)
        assert '"opportunities_stage"' not in window, window
        assert 'JOIN "opportunities_pipeline" ON ("opportunities_opportunity"' not in window, window


def test_every_page_lists_the_keyboard_shortcuts(alice_client):
    page = alice_client.get(reverse("crm:home")).content.decode()
    for key, url in (
        ("/", "crm:search"),
        ("n", "people:create"),
        ("a", "activities:activity_create"),
        ("r", "activities:reminders"),
    ):
        assert f'href="{reverse(url)}" data-shortcut="{key}"' in page
    assert 'id="global-search"' in page
