"""What the CRM holds about a person in Companies: their positions (crm.personal_data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from companies.models import Membership
from crm.personal_data import Holder, Identifiers, register, row


def collect(person) -> list[dict]:
    return [
        row(m, "company", "area", "position", "created_at")
        for m in Membership.objects.filter(person=person).select_related("company").order_by("pk")
    ]


def erase(person, ids: Identifiers) -> dict[str, int]:
    return {"positions": Membership.objects.filter(person=person).update(area="", position="")}


register(Holder("positions", _("Companies and positions"), collect, erase, order=20))
