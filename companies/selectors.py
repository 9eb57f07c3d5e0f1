"""Reads about companies that other apps ask for through a registry (activities.intake)."""

from __future__ import annotations

from typing import Any

from companies.models import Membership


def company_context(person) -> dict[str, Any]:
    """The company a message about ``person`` also belongs on: their first one."""
    membership = Membership.objects.filter(person=person).select_related("company").order_by("pk").first()
    return {"company": membership.company} if membership is not None else {}
