"""Email as a real channel (issue 5/9), through real SMTP: an SMTP server (aiosmtpd) listens
on a free port, the task worker's delivery talks SMTP to it, and what arrives is what the
recipient would read. The CRM's own mail server (the Outbox) has a test of its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.models import Activity, Email, EmailTemplate, OutboxMessage
from activities.services import email_deliver, email_send
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.tests.network import free_port
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_an_email_written_from_the_crm_arrives_whole_and_the_timeline_says_sent(
    alice, alice_client, smtp, django_capture_on_commit_callbacks
):
    person = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("activities:person_email", args=[person.pk]),
            {
                "subject": "Cotización ERP",
                "body": "Hola Rosa,\nadjunto los precios.",
                "cc": "Jefe@andes.pe, ",
            },
        )
    assert response.status_code == 302
    email = Email.objects.get()
    assert (email.status, email.attempts, email.error) == ("sent", 1, "")
    (message,) = smtp.handler.messages
    assert sorted(message.recipients) == ["jefe@andes.pe", "rosa@andes.pe"]
    assert (str(message["Message-ID"]), str(message["Subject"])) == (email.message_id, "Cotización ERP")
    assert str(message["Reply-To"]) == alice.email
    assert message.get_content().replace("\r\n", "\n") == "Hola Rosa,\nadjunto los precios.\n"
    activity = Activity.objects.get()
    assert (activity.kind, activity.person, activity.detail) == ("email", person, email.body)
    assert "email-sent" in alice_client.get(person.get_absolute_url()).content.decode()


def test_an_unreachable_server_is_tried_again_then_the_timeline_says_why(
    alice, alice_client, bob_client, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_MAX_ATTEMPTS = 2
    person = PersonFactory(owner=alice, email="rosa@andes.pe")
    email = email_send(by=alice, person=person, subject="Hola", body="x")  # queued; the worker sends
    assert email.status == "queued"
    first = email_deliver(email_id=email.pk)
    assert (first.status, first.attempts) == ("queued", 1)
    assert first.error  # the reason, kept for the next try
    last = email_deliver(email_id=email.pk)
    assert (last.status, last.attempts) == ("failed", 2)
    assert email_deliver(email_id=email.pk).attempts == 2  # given up: never again
    timeline = alice_client.get(person.get_absolute_url()).content.decode()
    assert "email-failed" in timeline
    assert last.error in timeline
    # Sent again once the server is back: queued, tried afresh.
    retry = reverse("activities:email_retry", args=[email.pk])
    assert bob_client.post(retry).status_code == 404  # not bob's to see
    alice_client.post(retry)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 0)


@pytest.mark.django_db(transaction=True)
def test_the_outbox_shows_each_user_their_own_mail(
    alice, alice_client, bob_client, manager_client, smtp_outbox
):
    """The CRM's own mail server (no EMAIL_URL) keeps what it receives for the Outbox page."""
    person = PersonFactory(owner=alice, email="rosa@andes.pe")
    email = email_send(by=alice, person=person, subject="Solo para Rosa", body="adjunto los precios.")
    arrived = OutboxMessage.objects.get()
    assert arrived.message_id == email.message_id
    assert arrived.recipients == "rosa@andes.pe"
    assert "Solo para Rosa" in alice_client.get(reverse("activities:outbox")).content.decode()
    page = alice_client.get(reverse("activities:outbox_message", args=[arrived.pk])).content.decode()
    assert "adjunto los precios." in page
    assert "Solo para Rosa" not in bob_client.get(reverse("activities:outbox")).content.decode()
    assert bob_client.get(reverse("activities:outbox_message", args=[arrived.pk])).status_code == 404
    assert "Solo para Rosa" in manager_client.get(reverse("activities:outbox")).content.decode()


def test_templates_the_teams_and_ones_own_fill_in_the_composer(alice, alice_client, bob_client, admin_client):
    admin_client.post(
        reverse("activities:email_template_create"),
        {
            "name": "Bienvenida",
            "language": "es",
            "subject": "Hola {first_name}",
            "body": "Soy {agent}, de {company}. {0} {",
            "team": "on",
        },
    )
    alice_client.post(
        reverse("activities:email_template_create"),
        {
            "name": "Seguimiento",
            "language": "es",
            "subject": "¿Revisó la propuesta?",
            "body": "…",
            "team": "on",
        },
    )
    team, own = EmailTemplate.objects.order_by("name")
    assert (team.is_team, own.owner) == (True, alice)  # an agent's template is theirs, whatever they ask
    rosa = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    page = alice_client.get(reverse("activities:person_email", args=[rosa.pk]), {"template": team.pk})
    assert page.context["form"]["subject"].value() == "Hola Rosa"
    assert page.context["form"]["body"].value() == "Soy Alice Agent, de . {0} {"
    # bob sees the team's template, not alice's, and changes neither.
    assert [t.name for t in bob_client.get(reverse("activities:email_templates")).context["page"]] == [
        "Bienvenida"
    ]
    assert bob_client.get(reverse("activities:email_template_edit", args=[own.pk])).status_code == 404
    assert bob_client.get(reverse("activities:email_template_edit", args=[team.pk])).status_code == 404
    bob_client.post(reverse("activities:email_template_delete", args=[team.pk]))
    assert EmailTemplate.objects.count() == 2


def test_an_email_written_from_a_card_goes_on_the_cards_timeline(alice, bob, alice_client, bob_client, smtp):
    from opportunities.tests.factories import OpportunityFactory, PipelineFactory

    rosa = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    card = OpportunityFactory(
        pipeline=PipelineFactory(members=[alice]), agent=alice, contact=rosa, subject="ERP"
    )
    template = EmailTemplate.objects.create(name="T", language="es", subject="Sobre {opportunity}", body="x")
    url = reverse("activities:person_email", args=[rosa.pk])
    page = alice_client.get(url, {"opportunity": card.pk, "template": template.pk})
    assert page.context["form"]["subject"].value() == "Sobre ERP"
    alice_client.post(url, {"opportunity": card.pk, "subject": "Sobre ERP", "body": "x"})
    assert Activity.objects.get().opportunity == card
    # A card the writer does not see is not linked: the email stays the person's.
    other = OpportunityFactory(pipeline=PipelineFactory(members=[bob]), agent=bob, contact=rosa)
    alice_client.post(url, {"opportunity": other.pk, "subject": "Hola", "body": "x"})
    assert Activity.objects.get(subject="Hola").opportunity is None


def test_files_go_with_the_email_uploaded_or_from_the_record(
    alice, alice_client, smtp, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm import attachments

    rosa = PersonFactory(owner=alice, email="rosa@andes.pe")
    (kept,) = attachments.attach(
        record=rosa, field="person", uploads=[SimpleUploadedFile("plano.pdf", b"%PDF-1.4 plano")], by=alice
    )
    url = reverse("activities:person_email", args=[rosa.pk])
    refused = alice_client.post(
        url, {"subject": "Hola", "body": "x", "files": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00")]}
    )
    assert "virus.exe" in str(refused.context["form"].errors["files"])
    assert refused.context["form"]["subject"].value() == "Hola"
    assert not Email.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            url,
            {
                "subject": "Precios",
                "body": "Adjunto.",
                "files": [SimpleUploadedFile("precios.csv", b"producto,precio\nERP,1000\n")],
                "record_files": [kept.pk],
            },
        )
    (message,) = smtp.handler.messages
    assert sorted(part.get_filename() for part in message.iter_attachments()) == ["plano.pdf", "precios.csv"]


def test_an_email_written_from_a_company_goes_on_its_timeline_and_the_persons(
    alice, bob, alice_client, smtp, django_capture_on_commit_callbacks
):
    company = CompanyFactory(owner=alice, name="Andes SAC")
    rosa = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    luis = PersonFactory(owner=alice, first_name="Luis", email="luis@andes.pe")
    for person in (
        rosa,
        luis,
        PersonFactory(owner=alice, email=""),
        PersonFactory(owner=bob, email="b@andes.pe"),
    ):
        MembershipFactory(person=person, company=company)
    page = alice_client.get(reverse("activities:company_email", args=[company.pk])).content.decode()
    # Whom alice may write to, with an address: not bob's person, not the one without.
    assert page.count("list-group-item-action") == 2
    composer = reverse("activities:person_email", args=[rosa.pk]) + f"?company={company.pk}"
    assert composer in page
    assert "Andes SAC" in alice_client.get(composer).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(composer, {"subject": "Reunión", "body": "¿Martes?", "company": company.pk})
    activity = Activity.objects.get()
    assert (activity.person, activity.company) == (rosa, company)
    assert smtp.handler.messages[0].recipients == ["rosa@andes.pe"]
    assert "Reunión" in alice_client.get(company.get_absolute_url()).content.decode()
