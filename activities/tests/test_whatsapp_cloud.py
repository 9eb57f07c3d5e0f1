"""WhatsApp Business Cloud API (issue 5/9), contract tests: a local HTTP server speaks the
documented Graph API request and answer formats (POST /{version}/{phone-number id}/messages),
and the webhook is called with the documented payloads, signed as Meta signs them
(X-Hub-Signature-256: HMAC-SHA256 of the body under the app secret). No network."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from activities.models import Activity, Notification, WhatsAppMessage
from crm.models import User
from crm.tests.factories import UserFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SECRET = "app-secret"


class GraphAPI(BaseHTTPRequestHandler):
    """What the Cloud API answers: a message id, or the error it was told to give."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, dict(self.headers), body))
        status, answer = self.server.answer
        if status == 200:
            answer = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.{len(self.server.requests)}"}],
            }
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def graph_api(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), GraphAPI)
    server.requests, server.answer = [], (200, None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WHATSAPP_API_URL = f"http://127.0.0.1:{server.server_port}/v21.0"
    settings.WHATSAPP_PHONE_NUMBER_ID, settings.WHATSAPP_TOKEN = "1055", "EAAG-token"
    settings.WHATSAPP_APP_SECRET, settings.WHATSAPP_VERIFY_TOKEN = SECRET, "verify-me"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield server
    server.shutdown()


def post_webhook(client, payload, secret: str = SECRET):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("activities:whatsapp_webhook"),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def delivery(value: dict) -> dict:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1055"}, **value}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }


def text_from(number: str, name: str, wamid: str, text: str) -> dict:
    return delivery(
        {
            "contacts": [{"profile": {"name": name}, "wa_id": number}],
            "messages": [
                {
                    "from": number,
                    "id": wamid,
                    "timestamp": "1764590400",
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        }
    )


def statuses(wamid: str, status: str, **extra) -> dict:
    return delivery(
        {
            "statuses": [
                {
                    "id": wamid,
                    "status": status,
                    "timestamp": "1764590500",
                    "recipient_id": "51987654321",
                    **extra,
                }
            ]
        }
    )


def test_an_agent_sends_a_text_and_a_template_and_the_timeline_follows_their_status(
    alice, alice_client, client, graph_api, django_capture_on_commit_callbacks
):
    rosa = PersonFactory(owner=alice, first_name="Rosa", mobile="+51987654321", phone="")
    url = reverse("activities:person_whatsapp_send", args=[rosa.pk])
    assert "WhatsApp Business" in alice_client.get(rosa.get_absolute_url()).content.decode()
    response = alice_client.post(
        url, {"number": "+51987654321", "text": "", "template": "", "language": "es"}
    )
    assert "Write a message or choose an approved template" in response.content.decode()
    # Without a lawful basis for WhatsApp nothing goes out, and the agent is told why.
    response = alice_client.post(url, {"number": "+51987654321", "text": "Hola", "language": "es"})
    assert "There is no consent (or other lawful basis) to write to this person on WhatsApp" in (
        response.content.decode()
    )
    assert not graph_api.requests
    from crm import consent

    consent.record(people=[rosa.pk], channels=["whatsapp"], purposes=["sales"], given=True, source="agent")
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            url, {"number": "+51987654321", "text": "Hola Rosa, ¿le llamo hoy?", "language": "es"}
        )
        alice_client.post(
            url, {"number": "+51987654321", "template": "seguimiento_cotizacion", "language": "es"}
        )
    (path, headers, text), (_path, _headers, template) = graph_api.requests
    assert path == "/v21.0/1055/messages"
    assert headers["Authorization"] == "Bearer EAAG-token"
    assert text == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "51987654321",
        "type": "text",
        "text": {"preview_url": False, "body": "Hola Rosa, ¿le llamo hoy?"},
    }
    assert (template["type"], template["template"]) == (
        "template",
        {"name": "seguimiento_cotizacion", "language": {"code": "es"}},
    )
    sent = WhatsAppMessage.objects.get(wa_id="wamid.1")
    assert sent.status == "sent"
    # The webhook's statuses move it on, never back.
    post_webhook(client, statuses("wamid.1", "read"))
    post_webhook(client, statuses("wamid.1", "delivered"))
    sent.refresh_from_db()
    assert sent.status == "read"
    assert "whatsapp-read" in alice_client.get(rosa.get_absolute_url()).content.decode()

    graph_api.answer = (
        400,
        {"error": {"message": "(#131030) Recipient phone number not in allowed list", "code": 131030}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(url, {"number": "+51987654321", "text": "¿Sigue interesado?", "language": "es"})
    failed = WhatsAppMessage.objects.latest("pk")
    assert (failed.status, failed.error) == ("failed", "(#131030) Recipient phone number not in allowed list")
    assert "whatsapp-failed" in alice_client.get(rosa.get_absolute_url()).content.decode()


def test_a_signed_message_from_a_new_number_becomes_a_prospect_in_turn_and_a_forged_one_is_refused(
    alice, bob, client, graph_api
):
    UserFactory(username="mara", role=User.Role.MANAGER)
    forged = post_webhook(
        client, text_from("5511998765432", "Ana Souza", "wamid.in1", "Olá!"), secret="guess"
    )
    assert forged.status_code == 403
    unsigned = client.post(reverse("activities:whatsapp_webhook"), b"{}", content_type="application/json")
    assert unsigned.status_code == 403
    assert not Person.objects.exists()

    payload = text_from("5511998765432", "Ana Souza", "wamid.in1", "Olá! Quero um orçamento.")
    assert post_webhook(client, payload).status_code == 200
    assert post_webhook(client, payload).status_code == 200  # Meta delivers again: taken once
    ana = Person.objects.get()
    assert (ana.first_name, ana.last_name, ana.mobile, ana.source) == (
        "Ana",
        "Souza",
        "+5511998765432",
        "whatsapp",
    )
    assert ana.owner == alice  # the agents in turn: alice, then bob
    # Nobody typed her in: her agent is told.
    assert Notification.objects.get(user=alice).text == f"New lead from WhatsApp: {ana}"
    (activity,) = Activity.objects.filter(received=True)
    assert (activity.person, activity.kind, activity.detail) == (ana, "whatsapp", "Olá! Quero um orçamento.")

    post_webhook(client, text_from("51912345678", "Luis", "wamid.in2", "Hola"))
    assert Person.objects.get(mobile="+51912345678").owner == bob
    # A known number goes on that person's timeline.
    post_webhook(client, text_from("5511998765432", "Ana Souza", "wamid.in3", "Alguma novidade?"))
    assert Person.objects.count() == 2
    assert Activity.objects.filter(person=ana, received=True).count() == 2

    bad = client.post(
        reverse("activities:whatsapp_webhook"),
        b"not json",
        content_type="application/json",
        headers={
            "X-Hub-Signature-256": "sha256="
            + hmac.new(SECRET.encode(), b"not json", hashlib.sha256).hexdigest()
        },
    )
    assert bad.status_code == 400


def test_the_verification_handshake_answers_only_the_right_token(client, graph_api):
    url = reverse("activities:whatsapp_webhook")
    ok = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert wrong.status_code == 403
