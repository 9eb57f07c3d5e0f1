"""@username in a note, an activity or a comment: the users named get a notification
linking to the record. Only users who may see the record may be mentioned: the typing
box suggests them (:func:`suggestions`), and a mention of anyone else is refused with a
message (:func:`check`), so nobody learns of a record through a mention."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Exists, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities import notifications
from crm import access
from crm.models import User

# A mention starts a word ("ana@example.pe" is an email, not a mention of "example.pe").
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")
# The records whose readers may be mentioned, most specific first (the link goes there).
FIELDS = ("opportunity", "service_order", "person", "company")
SUGGESTIONS = 8


def mentioned(text: str, by: User) -> list[User]:
    names = {match.rstrip(".") for match in MENTION.findall(text or "")}
    if not names:
        return []
    return list(
        User.objects.filter(username__in=names, is_active=True).exclude(pk=by.pk).order_by("username")
    )


def _records(about: dict) -> list[tuple[str, object]]:
    return [(field, about[field]) for field in FIELDS if about.get(field) is not None]


def who_may_see(users: Iterable[User], about: dict) -> set[int]:
    """The ids of ``users`` who may see every record ``about`` names (one query for the
    agents, whatever their number; managers and admins see everything)."""
    users = list(users)
    records = _records(about)
    seeing = {user.pk for user in users if access.sees_everything(user)}
    agents = [user for user in users if user.pk not in seeing and user.is_active]
    if not agents:
        return seeing
    if not records:
        return seeing | {user.pk for user in agents}
    parts = [
        User.objects.filter(
            Q(pk=agent.pk),
            *[Exists(access.records(agent, field).filter(pk=record.pk)) for field, record in records],
        ).values_list("pk", flat=True)
        for agent in agents
    ]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return seeing | set(query)


def suggestions(*, by: User, about: dict, term: str) -> list[User]:
    """The users ``by`` may mention on the record ``about``: those who may see it,
    matching ``term`` (user name or name)."""
    term = (term or "").strip()[:50]
    candidates = User.objects.filter(is_active=True).exclude(pk=by.pk)
    if term:
        candidates = candidates.filter(Q(username__istartswith=term) | Q(name__icontains=term))
    candidates = list(candidates.order_by("username")[:50])
    seeing = who_may_see(candidates, about)
    return [user for user in candidates if user.pk in seeing][:SUGGESTIONS]


def check(*, text: str, by: User, about: dict, field: str) -> list[User]:
    """The users ``text`` mentions; a ValidationError on ``field`` if any of them may not
    see the record (nothing is saved then)."""
    users = mentioned(text, by)
    if not users:
        return []
    seeing = who_may_see(users, about)
    refused = [user for user in users if user.pk not in seeing]
    if refused:
        names = ", ".join(f"@{user.username}" for user in refused)
        raise ValidationError(
            {
                field: ngettext(
                    "%(names)s may not see this record: mention someone who may.",
                    "%(names)s may not see this record: mention people who may.",
                    len(refused),
                )
                % {"names": names}
            },
            code="mention",
        )
    return users


def notify(*, users: list[User], text: str, by: User, about: dict) -> None:
    """Tell the mentioned ``users`` (already checked) where they were mentioned."""
    records = _records(about)
    if not users or not records:
        return
    record = records[0][1]
    summary = " ".join(text.split())
    notifications.notify(
        users,
        kind=notifications.Kind.MENTION,
        actor=by,
        text=lambda: _("%(name)s mentioned you on %(record)s") % {"name": by, "record": record},
        detail=summary,
        url=record.get_absolute_url(),
    )
