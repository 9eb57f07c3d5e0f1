"""Incoming email (issue 5/9) against a real IMAP server (Debian's dovecot, started by the
tests) and a real SMTP server: send from the CRM, answer as the customer, see the answer on
the timeline under the sent message; unknown senders wait in the Inbox."""

from __future__ import annotations

import threading
import time
from email.message import EmailMessage

import pytest
from django.urls import reverse

from activities import imap, passwords
from activities.models import Activity, Email, InboundEmail, Mailbox
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.models import Attachment
from crm.tests.network import free_port
from opportunities.tests.factories import OpportunityFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answer(*, sender: str, to: str, subject: str, body: str, in_reply_to: str = "", files=()) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = f"<{time.monotonic_ns()}@cliente.pe>"
    message["Date"] = "Tue, 01 Dec 2026 10:00:00 -0500"
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    message.set_content(body)
    for name, content, kind in files:
        maintype, subtype = kind.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def connect(client, imap_server, address: str, password: str = "secret", team: bool = False):
    return client.post(
        reverse("activities:team_mailbox" if team else "activities:mailbox"),
        {
            "address": address,
            "host": "127.0.0.1",
            "port": imap_server.port,
            "username": address,
            "password": password,
            "folder": "INBOX",
            "active": "on",
        },
    )


def test_an_answer_lands_under_the_sent_email_with_its_company_card_and_file(
    alice, alice_client, smtp, imap_server, django_capture_on_commit_callbacks
):
    alice.email = "agent@crm.test"
    alice.save(update_fields=["email"])
    rosa = PersonFactory(owner=alice, first_name="Rosa", email="Rosa@Andes.pe")
    company = CompanyFactory(owner=alice, name="Andes SAC")
    MembershipFactory(person=rosa, company=company)
    card = OpportunityFactory(agent=alice, contact=rosa, company=company, subject="ERP para Andes")

    response = connect(alice_client, imap_server, "agent@crm.test")
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(user=alice)
    assert "secret" not in mailbox.password_encrypted
    assert passwords.reveal(mailbox.password_encrypted) == "secret"
    assert "secret" not in alice_client.get(reverse("activities:mailbox")).content.decode()
    imap.check_all()  # the first read: nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            reverse("activities:person_email", args=[rosa.pk]) + f"?opportunity={card.pk}",
            {"subject": "Cotización ERP", "body": "Adjunto los precios."},
        )
    sent = Email.objects.get()
    assert sent.status == "sent"
    imap_server.deliver(
        "agent@crm.test",
        answer(
            sender="Rosa Quispe <rosa@andes.pe>",
            to="agent@crm.test",
            subject="Re: Cotización ERP",
            body="Gracias, ¿incluye soporte?",
            in_reply_to=sent.message_id,
            files=[
                ("orden.pdf", PDF, "application/pdf"),
                ("virus.exe", b"MZ\x90\x00", "application/x-msdownload"),
            ],
        ),
    )
    assert imap.check_all() == {mailbox.pk: 1}
    reply = Activity.objects.get(received=True)
    assert (reply.person, reply.company, reply.opportunity) == (rosa, company, card)
    assert reply.in_reply_to == sent.activity
    assert reply.detail == "Gracias, ¿incluye soporte?"
    assert list(Attachment.objects.filter(person=rosa).values_list("name", flat=True)) == ["orden.pdf"]

    page = alice_client.get(rosa.get_absolute_url()).content.decode()
    thread = page[page.index("Cotización ERP") :]
    replies = thread[thread.index("timeline-replies") :]
    assert "¿incluye soporte?" in replies  # the answer is shown under the email it answers
    assert "¿incluye soporte?" in alice_client.get(company.get_absolute_url()).content.decode()

    # Read again, or arriving through the team's address too: never filed twice.
    imap_server.deliver("team@crm.test", bytes(InboundEmail.objects.get().raw))
    Mailbox.objects.create(
        address="team@crm.test",
        host="127.0.0.1",
        port=imap_server.port,
        use_ssl=False,
        username="team@crm.test",
        password_encrypted=passwords.hide("secret"),
    )
    imap.check_all()
    assert Activity.objects.filter(received=True).count() == 1


def test_an_unknown_sender_waits_in_the_inbox_and_becomes_a_prospect(
    alice, bob, alice_client, bob_client, imap_server
):
    connect(alice_client, imap_server, "agent@crm.test")
    imap_server.deliver(
        "agent@crm.test",
        answer(
            sender="Luis Ramos <luis@nuevo.pe>", to="agent@crm.test", subject="Precios", body="¿Tienen stock?"
        ),
    )
    imap.check_all()
    inbound = InboundEmail.objects.get()
    assert inbound.status == "waiting"
    inbox = alice_client.get(reverse("activities:inbox")).content.decode()
    assert "Luis Ramos" in inbox
    assert "Luis Ramos" not in bob_client.get(reverse("activities:inbox")).content.decode()
    assert bob_client.get(inbound.get_absolute_url()).status_code == 404

    page = alice_client.get(inbound.get_absolute_url()).content.decode()
    assert 'value="Luis"' in page  # the sender's name, offered for the prospect
    response = alice_client.post(
        inbound.get_absolute_url(), {"prospect": "1", "first_name": "Luis", "last_name": "Ramos"}
    )
    person = Person.objects.get(email="luis@nuevo.pe")
    assert response.url == person.get_absolute_url()
    assert (person.owner, person.stage) == (alice, "prospect")
    assert Activity.objects.get(received=True).person == person
    assert inbound.get_absolute_url() not in alice_client.get(reverse("activities:inbox")).content.decode()
    assert alice_client.post(inbound.get_absolute_url(), {"dismiss": "1"}).status_code == 302
    inbound.refresh_from_db()
    assert inbound.status == "filed"  # dealt with once


def test_a_failing_mailbox_is_said_on_it_and_never_stops_the_others(alice, alice_client, bob, imap_server):
    broken = Mailbox.objects.create(  # its server is down
        user=bob,
        address="other@crm.test",
        host="127.0.0.1",
        port=free_port(),
        use_ssl=False,
        username="other@crm.test",
        password_encrypted=passwords.hide("secret"),
    )
    connect(alice_client, imap_server, "agent@crm.test")
    PersonFactory(owner=alice, email="rosa@andes.pe")
    imap_server.deliver(
        "agent@crm.test", answer(sender="rosa@andes.pe", to="agent@crm.test", subject="Hola", body="x")
    )
    imap.check_all()
    broken.refresh_from_db()
    assert broken.error
    assert Activity.objects.filter(received=True).count() == 1
    # A wrong password is said next to the field, and nothing is saved half-way (last: the
    # server slows down the next sign-ins from an address that failed one).
    response = connect(alice_client, imap_server, "agent@crm.test", password="wrong", team=True)
    assert response.status_code == 403  # the team's mailbox is for administrators
    bob_client = alice_client
    bob_client.force_login(bob)
    response = connect(bob_client, imap_server, "other@crm.test", password="wrong")
    assert response.status_code == 200
    assert "could not sign in" in response.content.decode()
    broken.refresh_from_db()
    assert passwords.reveal(broken.password_encrypted) == "secret"


@pytest.mark.django_db(transaction=True)
def test_idle_files_an_answer_as_soon_as_it_arrives(alice, imap_server):
    PersonFactory(owner=alice, email="rosa@andes.pe")
    mailbox = Mailbox.objects.create(
        user=alice,
        address="agent@crm.test",
        host="127.0.0.1",
        port=imap_server.port,
        use_ssl=False,
        username="agent@crm.test",
        password_encrypted=passwords.hide("secret"),
    )
    stop = threading.Event()
    listener = threading.Thread(target=imap.listen, args=(mailbox, stop), kwargs={"wake_seconds": 3})
    listener.start()
    try:
        deadline = time.monotonic() + 10
        while Mailbox.objects.get(pk=mailbox.pk).checked_at is None and time.monotonic() < deadline:
            time.sleep(0.02)  # listening (in IDLE) once it read what was there
        arrived = time.monotonic()
        imap_server.deliver(
            "agent@crm.test", answer(sender="rosa@andes.pe", to="agent@crm.test", subject="Hola", body="x")
        )
        while not Activity.objects.filter(received=True).exists() and time.monotonic() < deadline + 10:
            time.sleep(0.02)
        assert Activity.objects.filter(received=True).exists()
        # Woken by the server, not by the 3 s wake-up.
        assert time.monotonic() - arrived < 2.5
    finally:
        stop.set()
        listener.join(timeout=20)
    assert not listener.is_alive()


@pytest.mark.django_db(transaction=True)
def test_without_a_mailbox_the_outbox_lets_one_answer_as_the_customer(
    alice, alice_client, bob_client, smtp_outbox, settings
):
    """`make run`'s embedded default: the way back works on a fresh machine too."""
    from activities.models import OutboxMessage
    from activities.services import email_send

    settings.EMAIL_OUTBOX = True
    alice.email = "alice@crm.test"
    alice.save(update_fields=["email"])
    rosa = PersonFactory(owner=alice, email="rosa@andes.pe")
    sent = email_send(by=alice, person=rosa, subject="Precios", body="Adjunto.")
    arrived = OutboxMessage.objects.get()
    reply = reverse("activities:outbox_reply", args=[arrived.pk])
    assert (
        "Answer as the customer"
        in alice_client.get(reverse("activities:outbox_message", args=[arrived.pk])).content.decode()
    )
    assert bob_client.post(reply, {"body": "x"}).status_code == 404
    response = alice_client.post(reply, {"body": "Perfecto, ¿cuándo empezamos?"})
    assert response.url == rosa.get_absolute_url()
    answer = Activity.objects.get(received=True)
    assert (answer.person, answer.in_reply_to, answer.subject) == (rosa, sent.activity, "Re: Precios")
    page = alice_client.get(rosa.get_absolute_url()).content.decode()
    assert "¿cuándo empezamos?" in page[page.index("timeline-replies") :]


def test_a_mailbox_on_the_crms_own_network_is_refused_next_to_the_server(alice_client, settings):
    """The mailbox form must not become a probe of the CRM's network (MAIL_ALLOW_PRIVATE off)."""
    settings.MAIL_ALLOW_PRIVATE = False
    response = alice_client.post(
        reverse("activities:mailbox"),
        {
            "address": "a@crm.test",
            "host": "127.0.0.1",
            "port": 5432,
            "username": "a",
            "password": "x",
            "folder": "INBOX",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "internal address" in form.errors["host"][0]
    assert 'value="127.0.0.1"' in response.content.decode()  # what was typed is kept
    assert not Mailbox.objects.exists()
