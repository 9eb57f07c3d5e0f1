"""What the CRM holds about a person in the webhooks' deliveries: the payloads that carried them
(crm.personal_data). The deliveries stay (their log); a payload about the person keeps only
their number, and their name, email or phone are replaced in the others."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _

from api.models import WebhookDelivery
from crm.personal_data import Holder, Identifiers, register, scrub_json


def collect(person) -> list[dict]:
    return []  # what was sent about them is what the other sections hold


def erase(person, ids: Identifiers) -> dict[str, int]:
    table = connection.ops.quote_name(WebhookDelivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET payload = jsonb_set(payload, '{{data,person}}', "
            "jsonb_build_object('id', %s::bigint, 'erased', true)) "
            "WHERE payload @> jsonb_build_object('data', jsonb_build_object('person', jsonb_build_object('id', %s::bigint)))",
            [person.pk, person.pk],
        )
        about = cursor.rowcount
    return {"webhook_payloads": about + scrub_json(WebhookDelivery, "payload", ids)}


register(Holder("webhooks", _("Webhook deliveries"), collect, erase, order=60))
