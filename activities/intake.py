"""What the channels need from the apps above them, filled in when those apps start (the
way crm.notes is): making a prospect of a new sender (people), and the company and open card
a message about a person also belongs on (companies, opportunities). Activities imports none
of them; unfilled, a message goes on the person's timeline alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_prospect: Callable[..., Any] | None = None
_context: list[Callable[[Any], dict[str, Any]]] = []


def register_prospect(maker: Callable[..., Any]) -> None:
    """``maker(by=, owner=, first_name=, last_name=, email=, mobile=, source=)`` creates a
    prospect (people.services)."""
    global _prospect
    _prospect = maker


def register_context(finder: Callable[[Any], dict[str, Any]]) -> None:
    """``finder(person)`` gives what else a message about the person belongs on:
    ``{"company": ...}`` or ``{"opportunity": ...}``."""
    if finder not in _context:
        _context.append(finder)


def prospect(**fields):
    if _prospect is None:
        raise LookupError("No app makes prospects (people is not installed).")
    return _prospect(**fields)


def context_for(person) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for finder in _context:
        for key, value in finder(person).items():
            found.setdefault(key, value)
    return found


def person_model():
    """The person model, through the timeline's foreign key (a string one)."""
    from activities.models import Activity

    return Activity._meta.get_field("person").related_model
