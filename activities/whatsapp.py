"""The WhatsApp Business Cloud API, outgoing: a text or an approved template sent from a
person's page, queued on their timeline and sent by the task worker (POST
{WHATSAPP_API_URL}/{phone-number id}/messages); the webhook's statuses (messaging.whatsapp)
move it on to delivered and read."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import Activity, WhatsAppMessage
from crm.countries import format_phone
from crm.models import User

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
