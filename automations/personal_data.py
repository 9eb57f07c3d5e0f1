"""What the CRM holds about a person in the automations' log: the runs on their records name
them (crm.personal_data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from automations.models import RuleRun
from crm.personal_data import Holder, Identifiers, register, scrub, scrub_json


def collect(person) -> list[dict]:
    return []  # a run's record is the person's, their cards or their orders: in those sections


def erase(person, ids: Identifiers) -> dict[str, int]:
    return {
        "automation_runs": scrub(RuleRun.objects.all(), ["record_label", "error"], ids),
        "automation_logs": scrub_json(RuleRun, "done", ids),
    }


register(Holder("automations", _("Automation runs"), collect, erase, order=70))
