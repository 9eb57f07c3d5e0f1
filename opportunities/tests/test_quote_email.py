"""A quote sent by email from its page (issue 5/9): its PDF attached, through real SMTP (the
CRM's own mail server), the quote sent and the card's history saying to whom."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opportunities import sales
from opportunities.models import OpportunityEvent, Quote
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(alice):
    contact = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    card = OpportunityFactory(
        pipeline=PipelineFactory(members=[alice]), agent=alice, contact=contact, amount=1500
    )
    return sales.quote_create(opportunity=card, by=alice)


def test_a_quote_goes_by_email_with_its_pdf(
    alice, alice_client, quote, smtp, django_capture_on_commit_callbacks
):
    page = alice_client.get(reverse("quotes:email", args=[quote.pk]))
    form = page.context["form"]
    assert str(quote) in form["subject"].value()
    assert "Rosa" in form["body"].value()  # the draft greets the contact, in the team's language
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("quotes:email", args=[quote.pk]),
            {"subject": form["subject"].value(), "body": form["body"].value(), "cc": ""},
        )
    assert response.status_code == 302
    (message,) = smtp.handler.messages
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == f"{quote}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    history = OpportunityEvent.objects.filter(opportunity=quote.opportunity, kind="quote")
    assert any("rosa@andes.pe" in event.new_value for event in history)


def test_a_contact_without_an_address_is_told_and_nothing_is_sent(
    alice, alice_client, bob_client, quote, smtp
):
    assert bob_client.get(reverse("quotes:email", args=[quote.pk])).status_code == 404
    quote.opportunity.contact.email = ""
    quote.opportunity.contact.save()
    response = alice_client.post(reverse("quotes:email", args=[quote.pk]), {"subject": "x", "body": "y"})
    assert response.status_code == 200
    assert "has no email address" in response.content.decode()
    assert smtp.handler.messages == []
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT
