"""The timeline of a relationship: activities and recorded changes in one
stream, newest first, grouped by day, read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

PAGE = 50
# What an activity's entry shows (templates/partials/timeline_activity.html), and no more: the
# rows of a page of fifty carried each person's search vector and notes, each owner's password
# hash, each email's body and headers, only to show a name and a status.
SHOWN = (
    "kind", "subject", "detail", "received", "in_reply_to_id", "done_at",
    "person__first_name", "person__last_name", "person__erased_at",
    "owner__name", "owner__username",
    "category__name",
    "email__status", "email__error",
    "whatsapp__status", "whatsapp__error",
)  # fmt: skip


@dataclass(frozen=True)
class Entry:
    at: datetime
    activity: Any = None  # activities.Activity
    event: Any = None  # an app's change record (PersonEvent...)
    replies: list = field(default_factory=list)  # the customer's answers, shown under it


@dataclass(frozen=True)
class Created:
    """A record's creation on its timeline, shown as its recorded changes are."""

    by: Any
    old_value: str = ""
    new_value: str = ""
    comment: str = ""

    def get_kind_display(self) -> str:
        return _("Created")


@dataclass
class Timeline:
    days: list[tuple[date, list[Entry]]]
    next_before: datetime | None  # pass as ?before= for the next page


def build(
    *,
    activities: QuerySet,
    events: QuerySet | None = None,
    event_time: str = "at",
    created: tuple[datetime, Any] | None = None,
    before=None,
    limit=PAGE,
) -> Timeline:
    """Merge done ``activities`` (by ``done_at``; their owners, categories, people and
    messages joined here) and ``events`` (by ``event_time``), and
    the record's ``created`` (when, by whom) for a record without a creation event, newest
    first, ``limit`` entries older than ``before``."""
    # An email's entry says how its sending went (activities.Email, joined: no query each).
    activities = (
        activities.filter(done_at__isnull=False)
        .select_related("owner", "category", "person", "email", "whatsapp")
        .only(*SHOWN)
    )
    if before is not None:
        activities = activities.filter(done_at__lt=before)
    entries = [Entry(at=a.done_at, activity=a) for a in activities.order_by("-done_at", "-id")[: limit + 1]]
    entries = _threaded(entries)
    if events is not None:
        if before is not None:
            events = events.filter(**{f"{event_time}__lt": before})
        entries += [
            Entry(at=getattr(e, event_time), event=e)
            for e in events.order_by(f"-{event_time}", "-id")[: limit + 1]
        ]
    if created is not None and (before is None or created[0] < before):
        entries.append(Entry(at=created[0], event=Created(by=created[1] or "")))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    more = len(entries) > limit
    entries = entries[:limit]
    days = [
        (day, list(items))
        for day, items in groupby(entries, key=lambda entry: timezone.localtime(entry.at).date())
    ]
    return Timeline(days=days, next_before=entries[-1].at if more and entries else None)


def _threaded(entries: list[Entry]) -> list[Entry]:
    """An answer shown under the message it answers when both are on the page."""
    by_id = {entry.activity.pk: entry for entry in entries}
    kept = []
    for entry in entries:
        parent = by_id.get(entry.activity.in_reply_to_id)
        if parent is not None and parent is not entry:
            parent.replies.insert(0, entry)
        else:
            kept.append(entry)
    return kept


def parse_before(raw: str | None) -> datetime | None:
    """The ``before`` cursor from a query string; anything invalid means none."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)
