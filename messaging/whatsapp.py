"""The WhatsApp Business Cloud API, incoming: the webhook Meta calls. Its verification
handshake answers with the challenge when the verify token matches; each delivery must carry
an X-Hub-Signature-256 of its body under the app secret, else it is refused. A message goes
once (by its id) on the timeline of the person with that number; a new number becomes a
prospect (source WhatsApp) given to the active agents in turn. Statuses of what the CRM sent
(sent, delivered, read, failed) update its timeline entry."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from activities import whatsapp as outgoing
from crm.models import User
from people import services as people_services
from people.models import Person


def signed(body: bytes, signature: str) -> bool:
    """Whether ``signature`` (the X-Hub-Signature-256 header) is the body's under the app secret."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not signature.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def handle(payload: dict) -> dict[str, int]:
    """Take in one webhook delivery (already verified); returns what it did."""
    done = {"messages": 0, "prospects": 0, "statuses": 0}
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            names = {
                str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
                for c in _list(value.get("contacts"))
                if isinstance(c, dict)
            }
            for message in _list(value.get("messages")):
                if isinstance(message, dict) and message.get("id") and message.get("from"):
                    new_person = _receive(message, names.get(str(message["from"]), ""))
                    if new_person is not None:
                        done["messages"] += 1
                        done["prospects"] += new_person
            for status in _list(value.get("statuses")):
                if isinstance(status, dict) and status.get("id"):
                    errors = _list(status.get("errors"))
                    reason = (
                        str(errors[0].get("title") or errors[0].get("message") or "")
                        if errors and isinstance(errors[0], dict)
                        else ""
                    )
                    done["statuses"] += outgoing.status_update(
                        wa_id=str(status["id"]), status=str(status.get("status")), error=reason
                    )
    return done


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(message: dict) -> str:
    kind = str(message.get("type") or "")
    content = message.get(kind) if isinstance(message.get(kind), dict) else {}
    text = content.get("body") or content.get("caption") or ""
    if not text and kind and kind != "text":
        text = f"[{kind}]"  # an image, an audio, a location… named, not shown
    return str(text).replace("\x00", "")[:4096]


def _when(message: dict) -> datetime:
    try:
        when = datetime.fromtimestamp(int(message.get("timestamp")), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()
    return when if datetime(1900, 1, 1, tzinfo=UTC) <= when <= timezone.now() else timezone.now()


@transaction.atomic
def _receive(message: dict, name: str) -> int | None:
    """File one message; returns 1 if its sender became a prospect, 0 if known, None if the
    message was already taken in."""
    digits = "".join(c for c in str(message["from"]) if c.isdigit())[:15]
    phone = f"+{digits}"
    person = Person.objects.filter(discarded_at=None).filter(mobile=phone).order_by("pk").first()
    person = person or Person.objects.filter(discarded_at=None, phone=phone).order_by("pk").first()
    created = 0
    if person is None:
        if outgoing.WhatsAppMessage.objects.filter(wa_id=str(message["id"])).exists():
            return None
        agent = _next_agent()
        if agent is None:
            return None
        first, _sep, last = " ".join(name.split()).partition(" ")
        person = people_services.person_create(
            by=agent,
            first_name=(first or phone)[:100],
            last_name=last[:100],
            mobile=phone,
            source=Person.Source.WHATSAPP,
            owner=agent,
        )
        created = 1
    taken = outgoing.receive(
        person=person, wa_id=str(message["id"]), phone=phone, text=_text(message), at=_when(message)
    )
    return created if taken is not None else None


def _next_agent() -> User | None:
    """The active agents in turn (by how many WhatsApp prospects the team already has)."""
    agents = list(User.objects.filter(is_active=True, role=User.Role.AGENT).order_by("pk"))
    if not agents:
        agents = list(User.objects.filter(is_active=True).order_by("pk"))
    if not agents:
        return None
    count = Person.objects.filter(source=Person.Source.WHATSAPP).count()
    return agents[count % len(agents)]
