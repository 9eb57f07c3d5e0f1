"""Reads about companies that other apps ask for through a registry (activities.intake)."""

from __future__ import annotations

from companies.models import Company, Membership


def company_of(person) -> Company | None:
    """A person's company, for what is written to or about them (a message's timeline, the
    {company} of a template): their first one."""
    membership = Membership.objects.filter(person=person).select_related("company").order_by("pk").first()
    return membership.company if membership is not None else None
