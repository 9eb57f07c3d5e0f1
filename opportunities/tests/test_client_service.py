"""A won opportunity becomes the client's service order in one step, linked both ways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory, MembershipFactory
from opportunities.models import Opportunity, OpportunityEvent
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from serviceorders.models import ServiceOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def won(alice):
    company = CompanyFactory(owner=alice, name="Andes SAC")
    card = OpportunityFactory(
        pipeline=PipelineFactory(members=[alice]), agent=alice, company=company, subject="Red para Andes"
    )
    MembershipFactory(person=card.contact, company=company)
    Opportunity.objects.filter(pk=card.pk).update(status=Opportunity.Status.CLOSED, invoice_number="F001-1")
    card.refresh_from_db()
    return card


def test_a_won_card_becomes_a_service_order_linked_both_ways(alice_client, alice, won):
    assert "Create its service order" in alice_client.get(won.get_absolute_url()).content.decode()
    response = alice_client.post(reverse("opportunities:service_order", args=[won.pk]))
    order = ServiceOrder.objects.get()
    assert response.url == order.get_absolute_url()
    assert (order.opportunity, order.company, order.contact, order.assignee) == (
        won,
        won.company,
        won.contact,
        alice,
    )
    assert "Red para Andes" in order.detail
    assert OpportunityEvent.objects.filter(opportunity=won, kind="service", new_value=str(order)).exists()
    card_page = alice_client.get(won.get_absolute_url()).content.decode()
    assert order.get_absolute_url() in card_page
    assert (
        reverse("opportunities:detail", args=[won.pk])
        in alice_client.get(order.get_absolute_url()).content.decode()
    )
    # One service per card: a second attempt says which order it has.
    again = alice_client.post(reverse("opportunities:service_order", args=[won.pk]), follow=True)
    assert f"This opportunity already has service order {order}." in again.content.decode()
    assert ServiceOrder.objects.count() == 1


def test_only_won_cards_with_a_company_become_services(alice_client, alice, won):
    open_card = OpportunityFactory(pipeline=won.pipeline, agent=alice, company=won.company)
    page = alice_client.post(reverse("opportunities:service_order", args=[open_card.pk]), follow=True)
    assert "Only a won (closed) opportunity becomes a client service." in page.content.decode()
    Opportunity.objects.filter(pk=won.pk).update(company=None)
    page = alice_client.post(reverse("opportunities:service_order", args=[won.pk]), follow=True)
    assert "Link the opportunity to its client company first." in page.content.decode()
    assert not ServiceOrder.objects.exists()


def test_the_board_filter_finds_cards_converted_to_client_service(manager_client, alice, won):
    other = OpportunityFactory(pipeline=won.pipeline, agent=alice, subject="Sin servicio")
    Opportunity.objects.filter(pk=other.pk).update(status=Opportunity.Status.CLOSED)
    manager_client.post(reverse("opportunities:service_order", args=[won.pk]))
    url = won.pipeline.get_absolute_url()

    def subjects(value):
        columns = manager_client.get(url, {"closed": "all", "serviced": value}).context["columns"]
        return sorted(card.subject for column in columns for card in column.cards)

    assert subjects("yes") == ["Red para Andes"]
    assert "Red para Andes" not in subjects("no")
    assert "Sin servicio" in subjects("no")


def test_another_agent_cannot_convert_a_card(bob_client, won):
    assert bob_client.post(reverse("opportunities:service_order", args=[won.pk])).status_code == 404
    assert not ServiceOrder.objects.exists()
