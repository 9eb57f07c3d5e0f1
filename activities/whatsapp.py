"""The WhatsApp Business Cloud API, outgoing: a text or an approved template sent from a
person's page, queued on their timeline and sent by the task worker (POST
{WHATSAPP_API_URL}/{phone-number id}/messages); the webhook's statuses (below)
move it on to delivered and read."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import intake
from activities.models import Activity, WhatsAppMessage
from crm import consent
from crm.countries import format_phone
from crm.models import User
from crm.numbers import next_number

# A status only moves forward (the API may send them out of order).
ORDER = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}


def enabled() -> bool:
    return bool(settings.WHATSAPP_PHONE_NUMBER_ID and settings.WHATSAPP_TOKEN)


@transaction.atomic
def send(
    *, by: User, person, number: str, text: str = "", template: str = "", language: str = "es"
) -> WhatsAppMessage:
    """Queue a message to one of the person's numbers: ``text``, or the approved ``template``
    (its name) in ``language``."""
    from activities.services import activity_log

    if not enabled():
        raise ValidationError(_("WhatsApp Business is not configured."))
    if not number or number not in {person.phone, person.mobile}:
        raise ValidationError({"number": _("Choose one of this person's numbers.")})
    if not consent.may_contact(person, consent.Channel.WHATSAPP, consent.Purpose.SALES):
        raise ValidationError(
            {
                "number": _(
                    "There is no consent (or other lawful basis) to write to this person on WhatsApp: "
                    "record it on their page first."
                )
            }
        )
    text, template = text.strip(), template.strip()
    if not text and not template:
        raise ValidationError({"text": _("Write a message or choose an approved template.")})
    activity, _follow_up = activity_log(
        by=by,
        kind=Activity.Kind.WHATSAPP,
        subject=_("WhatsApp to %(number)s") % {"number": format_phone(number, "OT")},
        detail=text or _("Template: %(name)s") % {"name": template},
        person=person,
    )
    message = WhatsAppMessage.objects.create(
        activity=activity, phone=number, body=text, template=f"{template}:{language}" if template else ""
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from activities.tasks import deliver_whatsapp

    deliver_whatsapp.enqueue(message_id)


def request_body(message: WhatsAppMessage) -> dict:
    """The Cloud API's request for ``message`` (a text, or a template by name and language)."""
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.phone.lstrip("+")}
    if message.template:
        name, _sep, language = message.template.partition(":")
        body.update(type="template", template={"name": name, "language": {"code": language or "es"}})
    else:
        body.update(type="text", text={"preview_url": False, "body": message.body})
    return body


def deliver(*, message_id: int) -> WhatsAppMessage:
    """Send a queued message (the task worker): sent with the API's message id, or failed
    with the API's reason."""
    with transaction.atomic():
        message = WhatsAppMessage.objects.select_for_update().get(pk=message_id)
        if message.status != WhatsAppMessage.Status.QUEUED:
            return message
        request = urllib.request.Request(
            f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages",
            data=json.dumps(request_body(message)).encode(),
            headers={
                "Authorization": f"Bearer {settings.WHATSAPP_TOKEN}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.WHATSAPP_TIMEOUT) as response:
                answer = json.loads(response.read() or b"{}")
            message.wa_id = answer["messages"][0]["id"][:128]
            message.status, message.error = WhatsAppMessage.Status.SENT, ""
        except urllib.error.HTTPError as error:
            message.status, message.error = WhatsAppMessage.Status.FAILED, _api_error(error)
        except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
            message.status, message.error = WhatsAppMessage.Status.FAILED, str(error)[:1000] or "error"
        message.save(update_fields=["wa_id", "status", "error", "updated_at"])
    return message


def _api_error(error: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(error.read() or b"{}").get("error", {})
        return str(detail.get("message") or error.reason)[:1000]
    except ValueError:
        return str(error.reason)[:1000]


def status_update(*, wa_id: str, status: str, error: str = "") -> bool:
    """A status the webhook reported for a message the CRM sent; True if it moved it on."""
    message = WhatsAppMessage.objects.filter(wa_id=wa_id).first()
    if message is None or message.status in (WhatsAppMessage.Status.FAILED, WhatsAppMessage.Status.RECEIVED):
        return False
    if status == "failed":
        message.status, message.error = WhatsAppMessage.Status.FAILED, error[:1000]
    elif status in ORDER and ORDER[status] > ORDER.get(message.status, 0):
        message.status = status
    else:
        return False
    message.save(update_fields=["status", "error", "updated_at"])
    return True


def receive(*, person, wa_id: str, phone: str, text: str, at) -> WhatsAppMessage | None:
    """A message the webhook brought, on the person's timeline once (by the API's id)."""
    from django.db import IntegrityError

    from activities.services import activity_received

    if WhatsAppMessage.objects.filter(wa_id=wa_id).exists():
        return None
    try:
        with transaction.atomic():
            activity = activity_received(
                kind=Activity.Kind.WHATSAPP,
                subject=_("WhatsApp from %(number)s") % {"number": format_phone(phone, "OT")},
                detail=text,
                person=person,
                at=at,
            )
            return WhatsAppMessage.objects.create(
                activity=activity,
                wa_id=wa_id[:128],
                phone=phone,
                body=text,
                status=WhatsAppMessage.Status.RECEIVED,
            )
    except IntegrityError:  # the same delivery, twice at once
        return None


# Incoming: the webhook ---------------------------------------------------------


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
                    done["statuses"] += status_update(
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
    people = intake.person_model().objects.filter(discarded_at=None)
    person = (
        people.filter(mobile=phone).order_by("pk").first()
        or people.filter(phone=phone).order_by("pk").first()
    )
    created = 0
    if person is None:
        if WhatsAppMessage.objects.filter(wa_id=str(message["id"])).exists():
            return None
        agent = _next_agent()
        if agent is None:
            return None
        first, _sep, last = " ".join(name.split()).partition(" ")
        person = intake.prospect(
            by=agent,
            first_name=(first or phone)[:100],
            last_name=last[:100],
            mobile=phone,
            source="whatsapp",
            owner=agent,
            arrived=True,
        )
        created = 1
    taken = receive(
        person=person, wa_id=str(message["id"]), phone=phone, text=_text(message), at=_when(message)
    )
    return created if taken is not None else None


def _next_agent() -> User | None:
    """The active agents in turn: the team's counter of WhatsApp prospects (crm.numbers; its
    row stays locked until the prospect is saved, so two numbers at once go to two agents).
    """
    agents = list(User.objects.filter(is_active=True, role=User.Role.AGENT).order_by("pk"))
    if not agents:
        agents = list(User.objects.filter(is_active=True).order_by("pk"))
    if not agents:
        return None
    return agents[(next_number("whatsapp-prospects") - 1) % len(agents)]
