"""Placeholders in the messages users write once and send many times (email templates,
the WhatsApp template): ``{first_name}``, ``{company}``, ``{agent}``... Only names in braces
are replaced; anything else in braces is left as written (a template can never run code,
reach attributes or fail on a stray brace)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from activities import intake

PLACEHOLDERS = {
    "first_name": _("the person's first name"),
    "last_name": _("the person's last name"),
    "name": _("the person's full name"),
    "company": _("the person's company"),
    "agent": _("your name"),
    "opportunity": _("the card's subject"),
}
_NAME = re.compile(r"\{(\w+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{name}`` replaced by its value."""
    return _NAME.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text or "")


def values_for(*, agent, person=None, opportunity=None) -> dict[str, str]:
    """What the placeholders stand for, for a message to ``person`` (about ``opportunity``)."""
    company = ""
    if opportunity is not None and opportunity.company_id:
        company = str(opportunity.company)
    elif person is not None:
        company = str(intake.context_for(person, "company").get("company", ""))
    return {
        "first_name": person.first_name if person else "",
        "last_name": person.last_name if person else "",
        "name": str(person) if person else "",
        "company": company,
        "agent": str(agent),
        "opportunity": opportunity.subject if opportunity else "",
    }
