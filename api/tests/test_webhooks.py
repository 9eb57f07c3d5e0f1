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
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": self.headers, "body": body})
                self.send_response(receiver.codes.pop(0) if receiver.codes else 200)
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
