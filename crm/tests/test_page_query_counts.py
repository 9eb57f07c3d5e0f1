"""The administration and tool pages added with issues 15/16 and 16/16 read a
fixed number of queries whatever the number of rows they list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, Webhook, WebhookAttempt, WebhookDelivery
from companies.tests.factories import CompanyFactory
from crm.models import CustomField, ExchangeRate
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def _fixed(client, url: str, add) -> None:
    """Same number of queries with one row and with ten more."""
    add(1)
    few = _queries(client, url)
    add(10)
    assert _queries(client, url) == few


def test_custom_fields_and_exchange_rates(admin_client, admin_user):
    _fixed(
        admin_client,
        reverse("crm:custom_fields"),
        lambda n: [
            CustomField.objects.create(
                model="people", name=f"F{i}", key=f"f{CustomField.objects.count()}_{i}"
            )
            for i in range(n)
        ],
    )
    _fixed(
        admin_client,
        reverse("crm:exchange_rates"),
        lambda n: [
            ExchangeRate.objects.create(
                currency="USD",
                on=date(2026, 1, 1) + timedelta(days=ExchangeRate.objects.count()),
                rate="3.7",
                created_by=admin_user,
            )
            for _ in range(n)
        ],
    )


def test_webhooks_and_their_delivery_log(admin_client, admin_user):
    _fixed(
        admin_client,
        reverse("api:webhooks"),
        lambda n: [
            Webhook.objects.create(
                url="https://example.com/h", events=["person.created"], created_by=admin_user
            )
            for _ in range(n)
        ],
    )
    webhook = Webhook.objects.first()

    def deliveries(n):
        for _ in range(n):
            delivery = WebhookDelivery.objects.create(webhook=webhook, event="person.created", payload={})
            WebhookAttempt.objects.create(delivery=delivery, status_code=500)
            WebhookAttempt.objects.create(delivery=delivery, status_code=200)

    _fixed(admin_client, reverse("api:webhook", args=[webhook.pk]), deliveries)


def test_tokens_whatsapp_and_merged_companies(alice_client, alice, admin_client, admin_user):
    _fixed(
        alice_client,
        reverse("api:tokens"),
        lambda n: [ApiToken.issue(user=alice, name="script") for _ in range(n)],
    )
    person = PersonFactory(owner=alice, mobile="+51987654321")
    assert _queries(alice_client, reverse("activities:person_whatsapp", args=[person.pk])) <= 8
    _fixed(
        admin_client,
        reverse("companies:discarded"),
        lambda n: [
            CompanyFactory(owner=admin_user, discarded_at=timezone.now(), discarded_by=admin_user)
            for _ in range(n)
        ],
    )


def test_mail_pages_and_team_settings(alice_client, alice, manager_client, admin_client, settings):
    """Issue 4/9's and 5/9's pages: the Outbox (a user's own and everyone's), email templates,
    a person's composer with their attachments and the templates to start from, the team settings."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.models import EmailTemplate
    from activities.services import email_send, outbox_store
    from crm import attachments

    settings.EMAIL_OUTBOX = True
    rosa = PersonFactory(owner=alice, email="rosa@example.com")

    def mail(n):
        for _ in range(n):
            email = email_send(by=alice, person=rosa, subject="Hola", body="x")
            raw = f"Message-ID: {email.message_id}\r\nSubject: Hola\r\n\r\nx\r\n".encode()
            outbox_store(mail_from="crm@localhost", recipients=["rosa@example.com"], raw=raw)
            EmailTemplate.objects.create(name="T", language="es", subject="s", body="b", owner=alice)
            attachments.attach(
                record=rosa, field="person", uploads=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 a")], by=alice
            )

    for client in (alice_client, manager_client):
        _fixed(client, reverse("activities:outbox"), mail)
    _fixed(alice_client, reverse("activities:email_templates"), mail)
    _fixed(alice_client, reverse("activities:person_email", args=[rosa.pk]), mail)
    _fixed(alice_client, rosa.get_absolute_url(), mail)  # the timeline's emails, joined
    # One message, one template, a quote's email, an unsubscribe link: whatever else there is.
    from activities.models import OutboxMessage
    from campaigns.mailings import unsubscribe_token
    from opportunities import sales
    from opportunities.tests.factories import OpportunityFactory, PipelineFactory

    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice, contact=rosa)
    quote = sales.quote_create(opportunity=card, by=alice)
    message, template = OutboxMessage.objects.first(), EmailTemplate.objects.first()
    _fixed(alice_client, reverse("activities:outbox_message", args=[message.pk]), mail)
    _fixed(alice_client, reverse("activities:email_template_edit", args=[template.pk]), mail)
    _fixed(alice_client, reverse("quotes:email", args=[quote.pk]), mail)
    assert _queries(Client(), reverse("unsubscribe", args=[unsubscribe_token(rosa.pk)])) <= 3
    # The session, the user, the team settings (read once, by the middleware), the menu's counters.
    assert _queries(admin_client, reverse("crm:team_settings")) <= 5


def test_the_channels_pages(alice, alice_client, manager_client, settings):
    """Issue 5/9's channels: the Inbox and a message of it, the mailbox page, the campaign
    emails and one of them, a company's composer chooser, WhatsApp Business; and the timeline
    with answers threaded under what they answer."""
    from activities.filing import receive
    from activities.models import Mailbox
    from activities.services import email_send
    from campaigns.mailings import mailing_start
    from campaigns.tests.factories import CampaignFactory
    from companies.tests.factories import MembershipFactory
    from crm import access

    settings.WHATSAPP_PHONE_NUMBER_ID, settings.WHATSAPP_TOKEN = "1", "t"
    mailbox = Mailbox.objects.create(
        user=alice, address="a@crm.test", host="h", username="u", password_encrypted="x"
    )
    company = CompanyFactory(owner=alice)
    rosa = PersonFactory(owner=alice, email="rosa@example.com", mobile="+51987654321")
    campaign = CampaignFactory(owner=alice)
    MembershipFactory(company=company, person=rosa)  # two to choose from, from the start
    made = {"n": 0}

    def channels(n):
        for _ in range(n):
            made["n"] += 1
            i = made["n"]
            receive(
                raw=f"Message-ID: <{i}@x.pe>\r\nFrom: Z{i} <z{i}@x.pe>\r\nSubject: Hola\r\n\r\nx\r\n".encode(),
                mailbox=mailbox,
            )
            sent = email_send(by=alice, person=rosa, subject="Hola", body="x")
            receive(
                raw=f"Message-ID: <r{i}@x.pe>\r\nFrom: rosa@example.com\r\nIn-Reply-To: {sent.message_id}\r\nSubject: Re\r\n\r\ny\r\n".encode(),
                mailbox=mailbox,
            )
            MembershipFactory(company=company, person=PersonFactory(owner=alice, email=f"p{i}@x.pe"))
            mailing_start(
                by=alice,
                people=access.workable_people(alice).filter(pk=rosa.pk),
                subject="S",
                body="B",
                audience="a",
                base_url="http://t",
                campaign=campaign,
            )

    channels(1)
    first = access.inbound_emails(alice).order_by("pk").first()
    pages = [
        *(
            (client, reverse(name))
            for client in (alice_client, manager_client)
            for name in ("activities:inbox", "campaigns:mailings")
        ),
        (alice_client, first.get_absolute_url()),
        (alice_client, reverse("activities:company_email", args=[company.pk])),
        (alice_client, rosa.get_absolute_url()),  # answers threaded under the emails
        (alice_client, reverse("campaigns:mailing_create") + f"?campaign={campaign.pk}"),
        (alice_client, campaign.get_absolute_url()),
        (alice_client, reverse("activities:person_whatsapp_send", args=[rosa.pk])),
    ]
    few = [_queries(client, url) for client, url in pages]
    channels(10)
    assert [_queries(client, url) for client, url in pages] == few
    assert _queries(alice_client, reverse("activities:mailbox")) <= 5


def test_the_bulk_bars_choices(manager_client, alice):
    """The choices a list's bulk bar loads when first used: the same queries with more tags and
    campaigns to choose from."""
    from campaigns.tests.factories import CampaignFactory
    from people.tests.factories import TagFactory

    _fixed(
        manager_client,
        reverse("crm:bulk_options", args=["people"]),
        lambda n: [(TagFactory(), CampaignFactory(owner=alice)) for _ in range(n)],
    )
