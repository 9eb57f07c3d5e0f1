"""Webhooks reach only public addresses: nothing inside the CRM's own network
(loopback, private, link-local, metadata services), checked at registration and
at every delivery, and redirects are not followed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api import webhooks
from api.models import Webhook, WebhookDelivery
from api.tests.test_webhooks import Receiver
from crm import outbound
from people import services as people_services

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://192.168.1.10/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "ftp://example.com/hook",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_and_other_schemes_are_refused_at_registration(admin_client, url):
    response = admin_client.post(
        reverse("api:webhooks"), {"url": url, "events": ["person.created"], "active": "on"}
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses_pass_the_check(address):
    host = f"[{address}]" if ":" in address else address
    assert outbound.check(f"https://{host}/hook").address == address


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _deliver_one(admin_user, alice, url, capture) -> WebhookDelivery:
    Webhook.objects.create(url=url, events=["person.created"], created_by=admin_user)
    with capture(execute=True):
        people_services.person_create(by=alice, first_name="Luis", owner=alice)
    delivery = WebhookDelivery.objects.get()
    webhooks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_a_delivery_to_an_internal_address_is_not_sent(
    admin_user, alice, receiver, django_capture_on_commit_callbacks
):
    # Registered before the rule (or through a name that now resolves inside): checked again.
    delivery = _deliver_one(admin_user, alice, receiver.url, django_capture_on_commit_callbacks)
    assert receiver.received == []
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "internal address" in attempt.error


def test_redirects_are_not_followed(admin_user, alice, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    first, second = Receiver(), Receiver()
    try:
        first.codes, first.location = [302] * 10, second.url
        delivery = _deliver_one(admin_user, alice, first.url, django_capture_on_commit_callbacks)
        assert len(first.received) == 1
        assert second.received == []
        assert delivery.attempt_log.get().status_code == 302
    finally:
        first.close()
        second.close()


def test_an_unreachable_endpoint_is_logged_with_a_short_reason(
    admin_user, alice, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    delivery = _deliver_one(
        admin_user, alice, "http://127.0.0.1:9/nobody", django_capture_on_commit_callbacks
    )
    assert delivery.attempt_log.get().error == "connection refused"
