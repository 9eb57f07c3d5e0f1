"""A person's consents and lawful bases on their page: recorded by who may change the person,
with history, and the state campaign emails and WhatsApp messages ask for."""

import pytest
from django.test import Client
from django.urls import reverse

from crm import consent
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_an_agent_records_and_withdraws_a_basis_and_reads_its_history(alice_client, alice, manager):
    person = PersonFactory(owner=alice)
    url = reverse("people:consents", args=[person.pk])
    page = alice_client.get(person.get_absolute_url()).content.decode()
    assert "No consent or other lawful basis recorded" in page
    alice_client.post(
        url,
        {
            "channels": ["email", "whatsapp"],
            "purpose": "sales",
            "given": "given",
            "basis": "contract",
            "note": "Contrato 2026",
        },
    )
    assert consent.may_contact(person, "whatsapp", "sales")
    alice_client.post(
        url, {"channels": ["whatsapp"], "purpose": "sales", "given": "withdrawn", "basis": "consent"}
    )
    assert not consent.may_contact(person, "whatsapp", "sales")
    assert consent.may_contact(person, "email", "sales")
    page = alice_client.get(person.get_absolute_url()).content.decode()
    assert 'data-consent="whatsapp-sales" data-given="no"' in page
    assert 'data-consent="email-sales" data-given="yes"' in page
    history = alice_client.get(url).content.decode()
    assert history.count("<tr>") == 1 + 3  # the header and three rows, the withdrawal included
    assert "Contrato 2026" in history
    # Nothing is recorded without a channel; the message says why.
    response = alice_client.post(
        url, {"purpose": "marketing", "given": "given", "basis": "consent", "note": "Feria"}, follow=True
    )
    assert "Choose at least one channel." in response.content.decode()
    assert 'value="Feria"' in response.content.decode()  # what was typed is kept
    assert '<option value="marketing" selected>' in response.content.decode()
    assert person.consents.count() == 3


def test_who_cannot_change_the_person_records_nothing(bob, alice):
    person = PersonFactory(owner=alice)
    client = Client()
    client.force_login(bob)
    url = reverse("people:consents", args=[person.pk])
    assert (
        client.post(
            url, {"channels": ["email"], "purpose": "sales", "given": "given", "basis": "consent"}
        ).status_code
        == 404
    )
    assert not person.consents.exists()
