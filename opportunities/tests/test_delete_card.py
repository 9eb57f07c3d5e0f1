"""Administrators delete a card and choose whether its prospect is discarded too."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity
from crm import attachments
from crm.models import Attachment
from crm.tests.factories import ActivityFactory
from opportunities import sales
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(alice):
    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice, subject="Licencias")
    ActivityFactory(person=card.contact, owner=alice, opportunity=card, subject="Llamada sobre licencias")
    attachments.attach(
        record=card, field="opportunity", uploads=[SimpleUploadedFile("p.pdf", b"%PDF-1 p")], by=alice
    )
    return card


@pytest.mark.parametrize(("choice", "discarded"), [("keep", False), ("discard", True)])
def test_deleting_a_card_keeps_or_discards_its_prospect_and_says_so(admin_client, card, choice, discarded):
    person = card.contact
    page = admin_client.get(reverse("opportunities:delete", args=[card.pk])).content.decode()
    assert "Discard the prospect as well" in page
    response = admin_client.post(
        reverse("opportunities:delete", args=[card.pk]), {"contact": choice, "reason": ""}
    )
    assert response.url == card.pipeline.get_absolute_url()
    assert not Opportunity.objects.filter(pk=card.pk).exists()
    person.refresh_from_db()
    assert Person.objects.filter(pk=person.pk).exists()  # never deleted
    assert (person.discarded_at is not None) is discarded
    note = Activity.objects.get(person=person, kind="note", subject__startswith="Card “Licencias”")
    assert note.subject.endswith("the prospect was discarded." if discarded else "the prospect was kept.")
    # The card's activity and file now belong to the prospect alone.
    assert Activity.objects.filter(
        person=person, subject="Llamada sobre licencias", opportunity=None
    ).exists()
    assert Attachment.objects.get(name="p.pdf").person == person
    if discarded:
        assert person.discard_reason == "Its card “Licencias” was deleted."
        assert str(person) in admin_client.get(reverse("people:discarded")).content.decode()


def test_a_card_with_quotes_is_kept(admin_client, admin_user, card):
    sales.quote_create(opportunity=card, by=admin_user)
    page = admin_client.post(
        reverse("opportunities:delete", args=[card.pk]), {"contact": "keep"}
    ).content.decode()
    assert "This opportunity has quotes: archive it instead of deleting it." in page
    assert Opportunity.objects.filter(pk=card.pk).exists()


def test_only_administrators_delete_cards(alice_client, manager_client, card):
    for client in (alice_client, manager_client):
        assert (
            client.post(reverse("opportunities:delete", args=[card.pk]), {"contact": "keep"}).status_code
            == 403
        )
    assert Opportunity.objects.filter(pk=card.pk).exists()


def test_a_choice_is_required(admin_client, card):
    page = admin_client.post(reverse("opportunities:delete", args=[card.pk]), {"contact": "maybe"})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert Opportunity.objects.filter(pk=card.pk).exists()


def test_the_delete_page_reads_a_fixed_number_of_queries(admin_client, card, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert admin_client.get(reverse("opportunities:delete", args=[card.pk])).status_code == 200
