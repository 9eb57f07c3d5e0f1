"""@username in a note or a comment: the users named are reminded, on the same
record, if they may see it."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from crm import access
from crm.models import User

# A mention starts a word ("ana@example.pe" is an email, not a mention of "example.pe").
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")


def mentioned(text: str, by: User) -> list[User]:
    names = {match.rstrip(".") for match in MENTION.findall(text or "")}
    if not names:
        return []
    return list(
        User.objects.filter(username__in=names, is_active=True).exclude(pk=by.pk).order_by("username")
    )


def _may_see(user: User, about: dict) -> bool:
    return all(
        access.records(user, field).filter(pk=record.pk).exists()
        for field, record in about.items()
        if field in ("person", "company", "opportunity", "service_order")
    )


def remind(*, text: str, by: User, about: dict) -> list[Activity]:
    """A reminder, due now, for every user ``text`` mentions who may see the record
    ``about`` names (person, company, opportunity, service order, campaign)."""
    about = {field: record for field, record in about.items() if record is not None}
    if not (about.get("person") or about.get("company")):
        return []  # an activity belongs to a person or a company
    reminders = []
    summary = " ".join(text.split())
    for user in mentioned(text, by):
        if not _may_see(user, about):
            continue
        subject = _("%(name)s mentioned you: %(text)s") % {"name": by, "text": summary}
        reminders.append(
            Activity.objects.create(
                kind=Activity.Kind.TASK,
                subject=subject[:200],
                detail=text,
                owner=user,
                created_by=by,
                due_at=timezone.now(),
                **about,
            )
        )
    return reminders
