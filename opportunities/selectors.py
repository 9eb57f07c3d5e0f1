"""Reads about cards that other apps ask for through a registry (activities.intake)."""

from __future__ import annotations

from opportunities.models import Opportunity


def open_card_of(person) -> Opportunity | None:
    """The card a message about ``person`` also belongs on: their newest open one."""
    card = (
        Opportunity.objects.filter(contact=person, archived=False)
        .exclude(status__in=(Opportunity.Status.CLOSED, Opportunity.Status.LOST))
        .order_by("-pk")
        .first()
    )
    return card
