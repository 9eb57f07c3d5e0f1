"""The agenda: its JSON feed (bounded to the range, scoped, a fixed number of queries), moving
and resizing with the version check, planning from an empty slot, and My day."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import agenda, services
from activities.models import Activity
from crm.versioning import version_of
from people.tests.factories import PersonFactory
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


def monday() -> datetime.datetime:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=today.weekday())


def plan(owner, at, *, subject="Visita", kind="visit", person=None, done=False) -> Activity:
    activity, _ = services.activity_log(
        by=owner,
        kind=kind,
        subject=subject,
        person=person or PersonFactory(owner=owner),
        done=False,
        due_at=at,
        duration=60,
    )
    if done:
        services.activity_mark_done(activity=activity, by=owner)
    return activity


def feed(client, start, end, **params):
    return client.get(
        reverse("activities:agenda_events"),
        {"start": agenda.wall_clock(start), "end": agenda.wall_clock(end), **params},
    )


def week(client, **params):
    start = monday()
    return feed(client, start, start + datetime.timedelta(days=7), **params)


def test_the_feed_gives_the_agents_week(alice_client, alice, bob):
    start = monday()
    visit = plan(alice, start + datetime.timedelta(days=2, hours=10), subject="Visita a Rosa")
    done = plan(alice, start + datetime.timedelta(days=1, hours=9), subject="Llamada hecha", done=True)
    plan(alice, start + datetime.timedelta(days=9, hours=9), subject="Next week")
    plan(bob, start + datetime.timedelta(days=2, hours=11), subject="Bob's visit")
    response = week(alice_client)
    assert response.status_code == 200
    events = {event["title"].split(" · ")[0]: event for event in response.json()}
    assert set(events) == {"Visita a Rosa", "Llamada hecha"}
    event = events["Visita a Rosa"]
    assert event["start"] == agenda.wall_clock(visit.due_at)
    assert event["end"] == agenda.wall_clock(visit.due_at + datetime.timedelta(minutes=60))
    assert "agenda-visit" in event["classNames"]
    assert event["editable"]
    assert event["url"] == visit.person.get_absolute_url()
    assert "agenda-done" in events["Llamada hecha"]["classNames"]
    assert not events["Llamada hecha"]["editable"]
    assert done.done_at is not None


def test_times_are_the_teams_clock_across_a_change_of_summer_time(alice):
    """The database writes the events' times (thousands a week): on the team's clock as Python
    would, on both sides of a clock change, for a visit that spans it too."""
    zone = "America/Santiago"  # clocks went forward at 00:00 on 2026-09-06
    with timezone.override(zone):
        tz = timezone.get_current_timezone()
        before = datetime.datetime(2026, 9, 5, 23, 30, tzinfo=tz)
        after = datetime.datetime(2026, 9, 6, 10, 0, tzinfo=tz)
        spanning, later = plan(alice, before), plan(alice, after, done=True)
        found = agenda.activity_events(
            alice, None, before - datetime.timedelta(days=1), after + datetime.timedelta(days=1)
        )
        times = {event["extendedProps"]["pk"]: (event["start"], event["end"]) for event in found}
        assert times == {
            spanning.pk: ("2026-09-05T23:30:00", "2026-09-06T01:30:00"),  # an hour on the clock's jump
            later.pk: ("2026-09-06T10:00:00", "2026-09-06T11:00:00"),
        }
        spanning.refresh_from_db()  # its moment as stored (UTC): Python adds an hour on the clock's jump too
        assert times[spanning.pk] == (
            agenda.wall_clock(spanning.due_at),
            agenda.wall_clock(spanning.due_at + datetime.timedelta(hours=1)),
        )
        overdue = {event["extendedProps"]["pk"]: event["extendedProps"]["overdue"] for event in found}
        assert overdue == {spanning.pk: True, later.pk: False}  # the done one is not overdue


def test_overdue_is_marked(alice_client, alice):
    plan(alice, timezone.now() - datetime.timedelta(hours=2))
    start = timezone.localtime() - datetime.timedelta(days=1)
    [event] = feed(alice_client, start, start + datetime.timedelta(days=2)).json()
    assert "agenda-overdue" in event["classNames"]


def test_managers_pick_agents_and_agents_only_see_their_own(
    manager_client, alice_client, alice, bob, manager
):
    start = monday() + datetime.timedelta(days=1, hours=10)
    plan(alice, start, subject="Alice")
    plan(bob, start, subject="Bob")
    plan(manager, start, subject="Manager")

    def titles(client, **params):
        return sorted(event["title"].split(" · ")[0] for event in week(client, **params).json())

    assert titles(manager_client) == ["Manager"]
    assert titles(manager_client, agents=[alice.pk, bob.pk]) == ["Alice", "Bob"]
    assert titles(manager_client, team="1") == ["Alice", "Bob", "Manager"]
    # An agent asking for someone else still gets their own.
    assert titles(alice_client, agents=[bob.pk], team="1") == ["Alice"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-01-01T00:00:00", "end": "2026-06-01T00:00:00"},  # too long a range
        {"start": "2026-02-01T00:00:00", "end": "2026-01-01T00:00:00"},  # backwards
        {"start": "9999-01-01T00:00:00", "end": "9999-01-08T00:00:00"},
        {"start": "yesterday", "end": "\x00"},
        {},
    ],
)
def test_bad_ranges_are_refused_with_a_reason(alice_client, params):
    response = alice_client.get(reverse("activities:agenda_events"), params)
    assert response.status_code == 400
    if response["Content-Type"] == "application/json":
        assert response.json()["error"]


def test_events_started_before_the_range_show_while_they_last(alice_client, alice):
    start = monday()
    short = plan(alice, start - datetime.timedelta(minutes=30), subject="Desayuno")  # an hour, into Monday
    plan(alice, start - datetime.timedelta(minutes=90), subject="Ended before")  # over by 23:30 on Sunday
    long = plan(alice, start - datetime.timedelta(days=3), subject="Feria")
    services.activity_reschedule(activity=long, by=alice, due_at=long.due_at, duration=5 * 24 * 60)
    titles = [event["title"].split(" · ")[0] for event in week(alice_client).json()]
    assert titles == ["Feria", "Desayuno"]
    assert short.pk in [event["extendedProps"]["pk"] for event in week(alice_client).json()]


@pytest.mark.parametrize("count", [2, 40])
def test_the_feed_costs_a_fixed_number_of_queries(
    manager_client, manager, alice, count, django_assert_max_num_queries
):
    start = monday() + datetime.timedelta(days=1, hours=8)
    person = PersonFactory(owner=alice)
    for index in range(count):
        plan(alice, start + datetime.timedelta(hours=index % 10, days=index % 5), person=person)
        ServiceOrderFactory(assignee=alice, appointment_at=start + datetime.timedelta(days=index % 5))
    # Session, user, team, the activities starting in the week and those lasting into it, orders.
    with django_assert_max_num_queries(6):
        response = week(manager_client, team="1")
    assert len(response.json()) == 2 * count


def test_a_range_with_too_many_events_says_so(manager_client, alice, monkeypatch):
    monkeypatch.setattr(agenda, "MAX_EVENTS", 3)
    person = PersonFactory(owner=alice)
    for hour in range(5):
        plan(alice, monday() + datetime.timedelta(days=1, hours=8 + hour), person=person)
    response = week(manager_client, team="1")
    assert len(response.json()) == 3
    assert "the%20first%203%20are%20shown" in response["X-Agenda-Notice"]
    monkeypatch.setattr(agenda, "MAX_EVENTS", 30)
    assert "X-Agenda-Notice" not in week(manager_client, team="1")


def move(client, event: dict, start: datetime.datetime, end=None, version=None):
    body = {
        "source": event["extendedProps"]["source"],
        "id": event["extendedProps"]["pk"],
        "start": agenda.wall_clock(start),
        "end": agenda.wall_clock(end) if end else "",
        "version": event["extendedProps"]["version"] if version is None else version,
    }
    return client.post(reverse("activities:agenda_move"), json.dumps(body), content_type="application/json")


def test_dragging_reschedules_and_resizing_changes_the_duration(alice_client, alice):
    visit = plan(alice, monday() + datetime.timedelta(days=1, hours=10))
    [event] = week(alice_client).json()
    tomorrow = visit.due_at + datetime.timedelta(days=1)
    response = move(alice_client, event, tomorrow, tomorrow + datetime.timedelta(minutes=90))
    assert response.status_code == 200
    visit.refresh_from_db()
    assert (visit.due_at, visit.duration) == (tomorrow, 90)
    assert response.json()["event"]["extendedProps"]["version"] == version_of(visit)


def test_a_move_on_an_old_version_snaps_back_with_the_reason(alice_client, alice):
    visit = plan(alice, monday() + datetime.timedelta(days=1, hours=10))
    [event] = week(alice_client).json()
    services.activity_reschedule(activity=visit, by=alice, due_at=visit.due_at + datetime.timedelta(hours=1))
    response = move(alice_client, event, visit.due_at + datetime.timedelta(days=1))
    assert response.status_code == 409
    assert "changed" in response.json()["error"]


@pytest.mark.parametrize(
    ("minutes", "message"),
    [(2, "An activity lasts from 5 minutes to 7 days."), (60 * 24 * 8, "An activity lasts from 5 minutes")],
)
def test_a_resize_out_of_bounds_is_refused(alice_client, alice, minutes, message):
    visit = plan(alice, monday() + datetime.timedelta(days=1, hours=10))
    [event] = week(alice_client).json()
    response = move(alice_client, event, visit.due_at, visit.due_at + datetime.timedelta(minutes=minutes))
    assert response.status_code == 400
    assert message in response.json()["error"]
    visit.refresh_from_db()
    assert visit.duration == 60


def test_another_agents_activity_cannot_be_moved(bob_client, alice):
    visit = plan(alice, monday() + datetime.timedelta(days=1, hours=10))
    event = {"extendedProps": {"source": "activity", "pk": visit.pk, "version": version_of(visit)}}
    assert move(bob_client, event, visit.due_at + datetime.timedelta(days=1)).status_code == 404
    visit.refresh_from_db()
    assert visit.due_at == monday() + datetime.timedelta(days=1, hours=10)


@pytest.mark.parametrize(
    "body", [b"[]", b"not json", b'{"source": "activity", "id": "1", "start": "2200-01-01"}']
)
def test_unreadable_moves_are_refused(alice_client, body):
    response = alice_client.post(reverse("activities:agenda_move"), body, content_type="application/json")
    assert response.status_code in (400, 404)


def test_an_orders_appointment_is_in_its_assignees_agenda_and_moves(alice_client, bob_client, alice):
    at = monday() + datetime.timedelta(days=3, hours=15)
    order = ServiceOrderFactory(assignee=alice, appointment_at=at)
    [event] = week(alice_client).json()
    assert event["id"] == f"order-{order.pk}"
    assert "agenda-order" in event["classNames"]
    assert not event.get("durationEditable", True)
    assert week(bob_client).json() == []
    assert move(alice_client, event, at + datetime.timedelta(days=1)).status_code == 200
    order.refresh_from_db()
    assert order.appointment_at == at + datetime.timedelta(days=1)


def test_an_empty_slot_plans_an_activity(alice_client, alice):
    person = PersonFactory(owner=alice)
    start = monday() + datetime.timedelta(days=1, hours=9)
    url = reverse("activities:agenda_new")
    form = alice_client.get(
        url,
        {"start": agenda.wall_clock(start), "end": agenda.wall_clock(start + datetime.timedelta(hours=1))},
    )
    assert 'value="60"' in form.content.decode()
    refused = alice_client.post(
        url,
        {"kind": "visit", "subject": "Demo", "due_at": agenda.wall_clock(start)[:16], "duration": 60},
        HTTP_HX_REQUEST="true",
    )
    assert "Choose the person this activity is with." in refused.content.decode()
    assert 'value="Demo"' in refused.content.decode()
    response = alice_client.post(
        url,
        {
            "person": person.pk,
            "kind": "visit",
            "subject": "Demo",
            "due_at": agenda.wall_clock(start)[:16],
            "duration": 45,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Trigger"] == "agendaChanged"
    activity = Activity.objects.get(person=person)
    assert (activity.due_at, activity.duration, activity.done_at) == (start, 45, None)


def test_my_day_shows_todays_agenda(alice_client, alice):
    now = timezone.localtime()
    plan(alice, now.replace(hour=23, minute=0, second=0, microsecond=0), subject="Cena con cliente")
    page = alice_client.get(reverse("crm:home")).content.decode()
    assert "Cena con cliente" in page
    assert 'id="agenda-today"' in page


def test_the_calendar_page_allows_its_style_sheet_only(alice_client):
    response = alice_client.get(reverse("activities:calendar"))
    assert response.status_code == 200
    assert "nonce-" in response["Content-Security-Policy"]
    assert 'name="csp-nonce"' in response.content.decode()
    other = alice_client.get(reverse("activities:reminders"))
    assert "nonce-" not in other["Content-Security-Policy"]


def test_a_mention_in_a_planned_title_is_refused_next_to_the_title(alice_client, alice, bob):
    person = PersonFactory(owner=alice)
    start = monday() + datetime.timedelta(days=1, hours=9)
    response = alice_client.post(
        reverse("activities:agenda_new"),
        {
            "person": person.pk,
            "kind": "call",
            "subject": "Llamar con @bob",
            "due_at": agenda.wall_clock(start)[:16],
            "duration": 30,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "@bob may not see this record" in response.content.decode()
    assert not Activity.objects.filter(person=person).exists()


def test_the_calendar_page_and_the_suggestions_read_a_fixed_number_of_queries(manager_client, alice, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.tests.factories import UserFactory

    person = PersonFactory(owner=alice)

    def queries(url, params=None):
        with CaptureQueriesContext(connection) as context:
            assert manager_client.get(url, params or {}).status_code == 200
        return len(context)

    pages = [
        (reverse("activities:calendar"), {"team": "1"}),
        (reverse("activities:mention_suggestions"), {"person": person.pk, "q": ""}),
        (reverse("activities:notifications"), {}),
    ]
    UserFactory()
    few = [queries(url, params) for url, params in pages]
    for _ in range(10):
        UserFactory()  # agents to pick and to suggest
    assert [queries(url, params) for url, params in pages] == few
