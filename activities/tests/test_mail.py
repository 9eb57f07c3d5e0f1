"""Email as a real channel (issue 5/9), through real SMTP: the CRM's own mail server
(aiosmtpd, activities.mail) listens on a free port, the task worker's delivery talks SMTP to
it, and what arrives is what the recipient would read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.models import Activity, Email, OutboxMessage
from activities.services import email_deliver, email_send
from crm.tests.network import free_port
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_email_written_from_the_crm_arrives_whole_and_the_timeline_says_sent(alice, alice_client, smtp):
    person = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    response = alice_client.post(
        reverse("activities:person_email", args=[person.pk]),
        {"subject": "Cotización ERP", "body": "Hola Rosa,\nadjunto los precios.", "cc": "jefe@andes.pe, "},
    )
    assert response.status_code == 302
    email = Email.objects.get()
    assert (email.status, email.attempts, email.error) == ("sent", 1, "")
    arrived = OutboxMessage.objects.get()
    assert arrived.message_id == email.message_id
    assert sorted(arrived.recipients.splitlines()) == ["jefe@andes.pe", "rosa@andes.pe"]
    message = arrived.parsed()
    assert (str(message["Subject"]), str(message["Reply-To"])) == ("Cotización ERP", alice.email)
    assert message.get_content().replace("\r\n", "\n") == "Hola Rosa,\nadjunto los precios.\n"
    activity = Activity.objects.get()
    assert (activity.kind, activity.person, activity.detail) == ("email", person, email.body)

    timeline = alice_client.get(person.get_absolute_url()).content.decode()
    assert "email-sent" in timeline
    # The sender reads what arrived on the Outbox page; another agent does not.
    outbox = alice_client.get(reverse("activities:outbox")).content.decode()
    assert "Cotización ERP" in outbox
    page = alice_client.get(reverse("activities:outbox_message", args=[arrived.pk])).content.decode()
    assert "adjunto los precios." in page


def test_an_unreachable_server_is_tried_again_then_the_timeline_says_why(alice, settings):
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
    from django_tasks_db.models import DBTaskResult

    retry = (
        DBTaskResult.objects.filter(task_path="activities.tasks.deliver_email")
        .order_by("-enqueued_at")
        .first()
    )
    assert retry is not None
    assert retry.run_after is not None
    last = email_deliver(email_id=email.pk)
    assert (last.status, last.attempts) == ("failed", 2)
    assert email_deliver(email_id=email.pk).attempts == 2  # given up: never again


def test_each_user_reads_only_their_own_mail_in_the_outbox(
    alice, bob, alice_client, bob_client, manager_client, smtp
):
    person = PersonFactory(owner=alice, email="rosa@andes.pe")
    email_send(by=alice, person=person, subject="Solo para Rosa", body="x")
    arrived = OutboxMessage.objects.get()
    assert "Solo para Rosa" not in bob_client.get(reverse("activities:outbox")).content.decode()
    assert bob_client.get(reverse("activities:outbox_message", args=[arrived.pk])).status_code == 404
    assert "Solo para Rosa" in manager_client.get(reverse("activities:outbox")).content.decode()
