"""What the channels need from the apps above them, filled in when those apps start (the
way crm.notes is): making a prospect of a new sender (people), and the company and open card
a message about a person also belongs on (companies, opportunities). Activities imports none
of them; unfilled, a message goes on the person's timeline alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_prospect: Callable[..., Any] | None = None
_context: dict[str, Callable[[Any], Any]] = {}


def register_prospect(maker: Callable[..., Any]) -> None:
    """``maker(by=, owner=, first_name=, last_name=, email=, mobile=, source=)`` creates a
    prospect (people.services)."""
    global _prospect
    _prospect = maker


def register_context(key: str, finder: Callable[[Any], Any]) -> None:
    """``finder(person)`` gives the record of kind ``key`` ("company", "opportunity") a
    message about the person also belongs on, or None."""
    _context[key] = finder


def prospect(**fields):
    if _prospect is None:
        raise LookupError("No app makes prospects (people is not installed).")
    return _prospect(**fields)


def context_for(person, *keys: str) -> dict[str, Any]:
    """What else a message about ``person`` belongs on, by kind (only ``keys``, if named)."""
    found = {key: finder(person) for key, finder in _context.items() if not keys or key in keys}
    return {key: value for key, value in found.items() if value is not None}


def person_model():
    """The person model, through the timeline's foreign key (a string one)."""
    from activities.models import Activity

    return Activity._meta.get_field("person").related_model
