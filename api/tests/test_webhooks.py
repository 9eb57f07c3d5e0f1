"""Outbound webhooks against a local receiver on loopback: signed, sent by the
worker after the change commits, retried with back-off, every attempt logged."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api import webhooks
from api.models import Webhook, WebhookDelivery
from opportunities import services as opportunity_services
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people import services as people_services

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records what it gets and answers the
    status codes it is told (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.codes: list[int] = []
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": self.headers, "body": body})
                self.send_response(receiver.codes.pop(0) if receiver.codes else 200)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _private_targets(settings):
    # The receiver listens on loopback, as on an on-premise install.
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _webhook(admin_user, url, events):
    return Webhook.objects.create(url=url, events=events, created_by=admin_user)


def test_admins_register_and_events_arrive_signed(
    admin_client, admin_user, alice, receiver, django_capture_on_commit_callbacks
):
    response = admin_client.post(
        reverse("api:webhooks"), {"url": receiver.url, "events": ["person.created"], "active": "on"}
    )
    webhook = Webhook.objects.get()
    assert response.url == reverse("api:webhook", args=[webhook.pk])
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_create(by=alice, first_name="Rosa", last_name="Pérez", owner=alice)
    # Nothing was sent during the change: the worker sends it.
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    queued = DBTaskResult.objects.get(task_path="api.webhooks.deliver")
    assert queued.args_kwargs["args"] == [delivery.pk]
    webhooks.deliver.call(delivery.pk)  # what the worker runs
    (request,) = receiver.received
    assert request["headers"]["X-CRM-Event"] == "person.created"
    assert request["headers"]["X-CRM-Signature"] == webhooks.sign(webhook.secret, request["body"])
    payload = json.loads(request["body"])
    assert payload["data"]["person"]["first_name"] == "Rosa"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    log = admin_client.get(reverse("api:webhook", args=[webhook.pk])).content.decode()
    assert "HTTP 200" in log
    assert "person.created" in log


def test_failures_are_retried_with_back_off_then_given_up(
    admin_user, alice, receiver, django_capture_on_commit_callbacks
):
    _webhook(admin_user, receiver.url, ["person.created"])
    receiver.codes = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_create(by=alice, first_name="Luis", owner=alice)
    delivery = WebhookDelivery.objects.get()
    before = timezone.now()
    webhooks.deliver.call(delivery.pk)
    retry = DBTaskResult.objects.filter(
        task_path="api.webhooks.deliver",
        run_after__gt=before + timedelta(seconds=30),
        run_after__lt=before + timedelta(days=1),  # not the queue's "whenever" (year 9999)
    )
    assert retry.get().run_after - before >= timedelta(seconds=55)
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        webhooks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500] * webhooks.MAX_ATTEMPTS
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS
    # The administrators hear that it gave up.
    from activities.models import Notification

    told = Notification.objects.get(user=admin_user)
    assert told.text == f"The webhook {receiver.url} keeps failing"
    # A recovered endpoint gets the next event.
    receiver.codes = []
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_create(by=alice, first_name="Ana", owner=alice)
    fresh = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert webhooks.deliver.call(fresh.pk) == "delivered"


def test_an_unreachable_endpoint_never_blocks_the_page(
    alice_client, admin_user, alice, django_capture_on_commit_callbacks
):
    _webhook(admin_user, "http://127.0.0.1:9/nobody", ["person.created"])
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("people:create"),
            {"first_name": "Eva", "country": "PE", "stage": "prospect", "source": ""},
        )
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 0
    webhooks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.attempt_log.get().error


def test_only_active_webhooks_get_the_events_they_chose(
    admin_user, alice, receiver, django_capture_on_commit_callbacks
):
    statuses = _webhook(admin_user, receiver.url, ["opportunity.status_changed"])
    Webhook.objects.create(
        url=receiver.url, events=["opportunity.status_changed"], active=False, created_by=admin_user
    )
    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice)
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_create(by=alice, first_name="Nadie", owner=alice)
        opportunity_services.opportunity_set_status(
            opportunity=card, by=alice, status="working", comment="Quiere una demo"
        )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event) == (statuses, "opportunity.status_changed")
    assert delivery.payload["data"]["opportunity"]["status"] == "working"


def test_webhook_pages_are_for_administrators(alice_client, manager_client, admin_user):
    webhook = _webhook(admin_user, "https://example.com/hook", ["person.created"])
    for client in (alice_client, manager_client):
        assert client.get(reverse("api:webhooks")).status_code == 403
        assert client.get(reverse("api:webhook", args=[webhook.pk])).status_code == 403


def _announced(event: str) -> list[int]:
    """Run the worker's expansion of the people announced in bulk; the people's
    ids of the deliveries of ``event`` it planned."""
    for queued in DBTaskResult.objects.filter(task_path="api.webhooks.announce_people"):
        webhooks.announce_people.call(*queued.args_kwargs["args"])
        queued.delete()
    return sorted(d.payload["data"]["person"]["id"] for d in WebhookDelivery.objects.filter(event=event))


def test_people_imported_are_announced_one_by_one(
    admin_user, manager, receiver, django_capture_on_commit_callbacks
):
    from crm import importing
    from people.models import Person
    from people.tests.factories import PersonFactory, import_job

    _webhook(admin_user, receiver.url, ["person.created", "person.updated"])
    known = PersonFactory(owner=manager, email="ana@example.pe", first_name="Anita")  # the file renames her
    content = "Nombre,Correo\nAna,ana@example.pe\nLuis,luis@example.pe\nEva,eva@example.pe\n"
    job = import_job(manager, content, owner=manager)
    with django_capture_on_commit_callbacks(execute=True):
        importing.run(job)
    # The request (or the import's task) queued one task, whatever the number of people.
    assert DBTaskResult.objects.filter(task_path="api.webhooks.deliver").count() == 0
    created = sorted(
        Person.objects.filter(email__in=["luis@example.pe", "eva@example.pe"]).values_list("pk", flat=True)
    )
    assert _announced("person.created") == created
    assert _announced("person.updated") == [known.pk]
    delivery = WebhookDelivery.objects.filter(event="person.created").first()
    assert webhooks.deliver.call(delivery.pk) == "delivered"
    assert json.loads(receiver.received[0]["body"])["data"]["person"]["email"] in {
        "luis@example.pe",
        "eva@example.pe",
    }


def test_bulk_changes_and_their_undo_are_announced(
    manager_client, admin_user, alice, bob, django_capture_on_commit_callbacks
):
    from crm.models import BulkOperation
    from people.tests.factories import PersonFactory, TagFactory

    _webhook(
        admin_user, "https://example.com/hook", ["person.updated", "person.discarded", "person.restored"]
    )
    hers = PersonFactory.create_batch(3, owner=alice)
    already_bobs = PersonFactory(owner=bob)
    ids = [p.pk for p in [*hers, already_bobs]]
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("crm:bulk", args=["people"]), {"action": "reassign", "user": bob.pk, "ids": ids}
        )
    assert _announced("person.updated") == sorted(p.pk for p in hers)  # Bob's own did not change
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("crm:bulk_undo", args=[BulkOperation.objects.get().pk]))
    assert _announced("person.updated") == sorted([p.pk for p in hers] * 2)  # given, then given back
    WebhookDelivery.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("crm:bulk", args=["people"]), {"action": "discard", "ids": ids[:2]})
    assert _announced("person.discarded") == sorted(ids[:2])
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("crm:bulk_undo", args=[BulkOperation.objects.latest("created_at").pk]))
    assert _announced("person.restored") == sorted(ids[:2])

    tag = TagFactory(name="Feria")
    tag.people.add(hers[0])
    with django_capture_on_commit_callbacks(execute=True):
        people_services.tag_delete(tag=tag, by=admin_user)
    assert hers[0].pk in _announced("person.updated")


def test_nothing_is_queued_when_no_webhook_listens(manager_client, alice, django_capture_on_commit_callbacks):
    from people.tests.factories import PersonFactory

    people = PersonFactory.create_batch(2, owner=alice)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("crm:bulk", args=["people"]),
            {"action": "set_stage", "stage": "client", "ids": [p.pk for p in people]},
        )
    assert not DBTaskResult.objects.filter(task_path__startswith="api.webhooks").exists()


def test_a_merge_announces_the_discarded_duplicate_and_the_updated_survivor(
    admin_user, alice, django_capture_on_commit_callbacks
):
    from crm import merge
    from people.tests.factories import PersonFactory

    _webhook(admin_user, "https://example.com/hook", ["person.updated", "person.discarded"])
    rosa = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    copy = PersonFactory(owner=alice, first_name="Rosa María", email="ROSA@andes.pe")
    with django_capture_on_commit_callbacks(execute=True):
        merge.merge(
            kind=merge.KINDS["people"],
            survivor=rosa,
            duplicate=copy,
            values={"first_name": "Rosa María"},
            by=alice,
        )
    announced = {(d.event, d.payload["data"]["person"]["id"]) for d in WebhookDelivery.objects.all()}
    assert announced == {("person.discarded", copy.pk), ("person.updated", rosa.pk)}
