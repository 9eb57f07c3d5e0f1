"""The agenda: what users have planned, as calendar events, from every module that plans.

A module with dated work registers a :class:`Source` (activities their planned activities
here; service orders their appointments, in ``serviceorders.agenda``): ``events`` reads the
events of a range for a viewer (one query each, whatever the rows), ``move`` reschedules one
through that module's service, with its version check. The calendar page, its JSON feed and
My day read every source through :func:`events`.

Times travel as the team's wall clock (``2026-12-02T09:30:00``, no offset): the calendar
draws them as they are, in the team's time zone whatever the browser's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, CharField, DateTimeField, ExpressionWrapper, F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import services
from activities.models import MAX_DURATION
from crm import access, bounds, links, versioning
from crm.models import User

# The widest range one request may ask for: a month view shows six weeks.
MAX_RANGE = datetime.timedelta(days=62)
# The most events one source gives for one range (a busy team's month stays far below).
MAX_EVENTS = 2000
# A manager compares at most this many agents side by side.
MAX_AGENTS = 6


@dataclass(frozen=True)
class Source:
    key: str
    # (viewer, agent ids or None for the whole team, start, end) -> events
    events: Callable[[User, Sequence[int] | None, datetime.datetime, datetime.datetime], list[dict]]
    # (viewer, pk, start, end or None, version) -> the event as it is now; raises
    # Http404 (not seen), PermissionDenied (not theirs to change), ValidationError, Stale.
    move: Callable[[User, int, datetime.datetime, datetime.datetime | None, str], dict]


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.key] = source
    return source


def wall_clock(moment: datetime.datetime) -> str:
    """``moment`` as the team's wall clock, without offset (as _wall_clock_sql writes it)."""
    return (
        moment.astimezone(timezone.get_current_timezone()).replace(tzinfo=None).isoformat(timespec="seconds")
    )


def parse_wall_clock(text: str) -> datetime.datetime | None:
    """A wall-clock time from the calendar (an offset or ``Z`` it adds is ignored: the
    calendar shows the team's clock), bounded to 1900 to 2100; None if unreadable."""
    text = (text or "").strip()[:40]
    if text.endswith("Z"):
        text = text[:-1]
    if len(text) > 19 and text[19] in "+-.":
        text = text[:19]
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if not bounds.YEAR_MIN <= value.year <= bounds.YEAR_MAX:
        return None
    return timezone.make_aware(value)


def check_range(start, end) -> None:
    if start is None or end is None or end <= start:
        raise ValidationError(_("Choose a valid range of dates."))
    if end - start > MAX_RANGE:
        raise ValidationError(
            _("Choose a range of at most %(days)s days.") % {"days": MAX_RANGE.days}, code="range"
        )


def events(viewer: User, agents: Sequence[int] | None, start, end) -> list[dict]:
    """Every source's events between ``start`` and ``end`` for ``agents`` (their ids; None:
    the whole team, for managers), as ``viewer`` may see them, by start."""
    check_range(start, end)
    found = [event for source in SOURCES.values() for event in source.events(viewer, agents, start, end)]
    return sorted(found, key=lambda event: (event["start"], event["id"]))


def is_cut(found: list[dict]) -> bool:
    """Whether a source gave as many events as it may (the rest of the range is not shown)."""
    counts: dict[str, int] = {}
    for event in found:
        source = event["extendedProps"]["source"]
        counts[source] = counts.get(source, 0) + 1
    return any(count >= MAX_EVENTS for count in counts.values())


def event(
    *,
    source: str,
    pk: int,
    title: str,
    start: str,
    end: str,
    overdue: bool,
    url: str,
    kind: str,
    agent: str,
    agent_id: int | None,
    version: str,
    editable: bool,
    done: bool = False,
    about: str = "",
) -> dict:
    """One event as the calendar reads it (FullCalendar's event object): ``start`` and ``end``
    on the team's wall clock (wall_clock), ``overdue`` when it is not done and its start has
    passed."""
    classes = [f"agenda-{kind}"]
    if done:
        classes.append("agenda-done")
    elif overdue:
        classes.append("agenda-overdue")
    return {
        "id": f"{source}-{pk}",
        "title": title,
        "start": start,
        "end": end,
        "url": url,
        "classNames": classes,
        "editable": editable and not done,
        "extendedProps": {
            "source": source,
            "pk": pk,
            "kind": kind,
            "agent": agent,
            "agentId": agent_id,
            "about": about,
            "version": version,
            "done": done,
            "overdue": overdue,
        },
    }


# Planned activities ------------------------------------------------------------------


def _activities_in(viewer: User, agents, start, end):
    """The activities ``viewer`` sees of ``agents`` (None: the whole team) starting from
    ``start`` to ``end``. One range on the date and nothing more (it implies a date: a
    ``due_at IS NOT NULL`` beside it, counted again by the planner, made it expect 200 times
    fewer rows and sort a whole week rather than read the index in order)."""
    queryset = access.activities(viewer, followed=True).filter(due_at__gte=start, due_at__lt=end)
    if not access.sees_everything(viewer) or (agents is not None and list(agents) == [viewer.pk]):
        # Their own, and the reminders of the cards they follow.
        return queryset.filter(access.to_do_by(viewer))
    if agents is None:
        return queryset
    return queryset.filter(owner_id__in=list(agents))


# What an activity's event shows, read as plain values: a person's row is wide, and thousands
# of events are read at once.
EVENT_VALUES = (
    "id",
    "kind",
    "subject",
    "owner_id",
    "owner__name",
    "owner__username",
    "person_id",
    "person__first_name",
    "person__last_name",
    "company_id",
    "company__name",
)
_WALL_CLOCK = 'YYYY-MM-DD"T"HH24:MI:SS'


def _ends() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("due_at") + F("duration") * datetime.timedelta(minutes=1), output_field=DateTimeField()
    )


def _wall_clock_sql(moment) -> Func:
    """``wall_clock`` written by PostgreSQL: the moment on the team's clock, without offset."""
    zone = Func(Value(timezone.get_current_timezone_name()), moment, function="timezone")
    return Func(zone, Value(_WALL_CLOCK), function="to_char", output_field=CharField())


def _event_rows(queryset):
    """An activity's event values (EVENT_VALUES), with its times on the team's clock, whether
    it is done and whether it is overdue, as PostgreSQL writes them: thousands of events a
    week, each time converted in Python, took longer than the query."""
    return queryset.values(
        *EVENT_VALUES,
        version=versioning.version_sql(),
        start=_wall_clock_sql(F("due_at")),
        end=_wall_clock_sql(_ends()),
        done=ExpressionWrapper(Q(done_at__isnull=False), output_field=BooleanField()),
        overdue=ExpressionWrapper(Q(done_at=None, due_at__lt=timezone.now()), output_field=BooleanField()),
    )


def _activity_events(rows) -> list[dict]:
    """The events of ``rows`` (from _event_rows)."""
    found = []
    person_path, company_path = links.paths("people:detail"), links.paths("companies:detail")
    for row in rows:
        if row["person_id"]:
            about = f"{row['person__first_name']} {row['person__last_name']}".strip()
            url = person_path(row["person_id"])
        elif row["company_id"]:
            about, url = row["company__name"], company_path(row["company_id"])
        else:
            about, url = "", ""
        found.append(
            event(
                source="activity",
                pk=row["id"],
                title=f"{row['subject']} · {about}" if about else row["subject"],
                start=row["start"],
                end=row["end"],
                url=url,
                kind=row["kind"],
                agent=row["owner__name"] or row["owner__username"],
                agent_id=row["owner_id"],
                version=row["version"],
                editable=True,
                done=row["done"],
                about=about,
                overdue=row["overdue"],
            )
        )
    return found


# Most activities last an hour or less; longer ones have an index of their own (crm_agenda_long_idx).
SHORT = 60


def activity_events(viewer: User, agents, start, end) -> list[dict]:
    # Those starting in the range: the date index read in order, up to MAX_EVENTS.
    within = _event_rows(_activities_in(viewer, agents, start, end).order_by("due_at", "id"))[:MAX_EVENTS]
    # Those started before it that last into it (an activity lasts at most MAX_DURATION): the
    # last hour's, and the long ones.
    before = (
        _activities_in(viewer, agents, start - datetime.timedelta(minutes=MAX_DURATION), start)
        .filter(Q(due_at__gte=start - datetime.timedelta(minutes=SHORT)) | Q(duration__gt=SHORT))
        .alias(ends=_ends())
        .filter(ends__gt=start)
        .order_by("due_at", "id")
    )
    before = _event_rows(before)[:MAX_EVENTS]
    rows = [*before, *within][:MAX_EVENTS]
    return _activity_events(rows)


def activity_move(viewer: User, pk: int, start, end, version: str) -> dict:
    seen = access.activities(viewer, followed=True).filter(due_at__isnull=False)
    activity = access.get_or_404(seen, pk=pk)
    minutes = None if end is None else int((end - start).total_seconds() // 60)
    services.activity_reschedule(
        activity=activity, by=viewer, due_at=start, duration=minutes, version=version
    )
    # The event as the feed gives it, read back the same way.
    return _activity_events(_event_rows(seen.filter(pk=pk)))[0]


register(Source("activity", activity_events, activity_move))


def today(viewer: User) -> list[dict]:
    """My day: the viewer's agenda for today (the team's day)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return events(viewer, [viewer.pk], start, start + datetime.timedelta(days=1))


def team_agents(viewer: User):
    """The agents a viewer may pick: managers and admins every active user; agents themselves."""
    return access.assignable_users(viewer).order_by("name", "username")
