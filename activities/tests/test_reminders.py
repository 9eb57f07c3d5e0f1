from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.factories import ActivityFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _reminder(owner, hours: float, **extra):
    person = extra.pop("person", None) or PersonFactory(owner=owner)
    return ActivityFactory(
        person=person, owner=owner, done_at=None, due_at=timezone.now() + timedelta(hours=hours), **extra
    )


def test_reminders_are_ordered_by_due_date_with_overdue_highlighted(alice_client, alice):
    later = _reminder(alice, 48)
    overdue = _reminder(alice, -5)
    soon = _reminder(alice, 0.5)
    response = alice_client.get(reverse("activities:reminders"))
    assert list(response.context["page"]) == [overdue, soon, later]
    assert "table-danger" in response.content.decode()


def test_done_activities_are_not_reminders(alice_client, alice):
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice)
    assert list(alice_client.get(reverse("activities:reminders")).context["page"]) == []


def test_agent_sees_only_their_reminders(alice_client, alice, bob):
    mine = _reminder(alice, 1)
    _reminder(bob, 1)
    assert list(alice_client.get(reverse("activities:reminders")).context["page"]) == [mine]


def test_manager_sees_mine_or_all(manager_client, manager, alice):
    own = _reminder(manager, 1, person=PersonFactory(owner=alice))
    theirs = _reminder(alice, 2)
    assert list(manager_client.get(reverse("activities:reminders")).context["page"]) == [own]
    everyone = manager_client.get(reverse("activities:reminders"), {"owner": ""})
    assert list(everyone.context["page"]) == [own, theirs]


def test_filters_by_dates_kind_and_person(alice_client, alice):
    person = PersonFactory(owner=alice)
    target = _reminder(alice, 24, person=person, kind="visit")
    _reminder(alice, 24, person=person, kind="call")
    _reminder(alice, 24 * 10, kind="visit")
    in_two_days = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = alice_client.get(
        reverse("activities:reminders"),
        {
            "kind": "visit",
            "person": person.pk,
            "due_from": timezone.localdate().isoformat(),
            "due_to": in_two_days,
        },
    )
    assert list(response.context["page"]) == [target]


def test_mark_done_reschedule_and_reassign(alice_client, manager_client, alice, bob):
    reminder = _reminder(alice, -1)
    new_time = timezone.localtime() + timedelta(days=3)
    alice_client.post(
        reverse("activities:reminder_reschedule", args=[reminder.pk]),
        {"due_at": new_time.strftime("%Y-%m-%dT%H:%M")},
    )
    reminder.refresh_from_db()
    assert abs(reminder.due_at - new_time) < timedelta(minutes=1)
    manager_client.post(reverse("activities:reminder_reassign", args=[reminder.pk]), {"owner": bob.pk})
    reminder.refresh_from_db()
    assert reminder.owner == bob
    done = _reminder(alice, 1)
    alice_client.post(reverse("activities:activity_done", args=[done.pk]))
    done.refresh_from_db()
    assert done.done_at is not None


def test_bad_reschedule_date_changes_nothing(alice_client, alice):
    reminder = _reminder(alice, 1)
    due = reminder.due_at
    response = alice_client.post(
        reverse("activities:reminder_reschedule", args=[reminder.pk]), {"due_at": "soon"}, follow=True
    )
    reminder.refresh_from_db()
    assert reminder.due_at == due
    assert "valid date" in response.content.decode()


def test_agents_cannot_reassign(alice_client, alice, bob):
    reminder = _reminder(alice, 1)
    assert (
        alice_client.post(
            reverse("activities:reminder_reassign", args=[reminder.pk]), {"owner": bob.pk}
        ).status_code
        == 403
    )
    reminder.refresh_from_db()
    assert reminder.owner == alice


def test_navigation_counts_overdue_and_today(alice_client, alice):
    _reminder(alice, -30)
    _reminder(alice, -1)
    end_of_today = timezone.localtime().replace(hour=23, minute=59)
    hours_left = (end_of_today - timezone.localtime()).total_seconds() / 3600
    if hours_left > 0.05:
        _reminder(alice, hours_left / 2)
    _reminder(alice, 24 * 3)
    response = alice_client.get(reverse("people:list"))
    counts = response.context["reminder_counts"]
    assert counts["overdue"] == 2
    assert counts["today"] == (1 if hours_left > 0.05 else 0)
    assert 'title="Overdue">2' in response.content.decode()


def test_navigation_counts_follow_what_the_user_may_see_now(alice_client, alice, bob):
    """The counts' query is built once per user and role: a role changed counts with the new
    role's rules on the next page."""
    _reminder(alice, -2, person=PersonFactory(owner=bob))  # on a person now bob's: not hers to see
    _reminder(alice, -1)
    assert alice_client.get(reverse("people:list")).context["reminder_counts"]["overdue"] == 1
    alice.role = "manager"
    alice.save()
    assert alice_client.get(reverse("people:list")).context["reminder_counts"]["overdue"] == 2
    alice.role = "agent"
    alice.save()
    assert alice_client.get(reverse("people:list")).context["reminder_counts"]["overdue"] == 1


def test_navigation_counts_are_kept_until_the_user_changes_something(
    settings, alice_client, alice, manager, django_capture_on_commit_callbacks
):
    from activities import notifications

    settings.USER_FIGURES_SECONDS = 30
    first = _reminder(alice, -2)
    assert alice_client.get(reverse("people:list")).context["reminder_counts"]["overdue"] == 1
    _reminder(alice, -1)  # someone else's change: shown once the counts are 30 s old
    assert alice_client.get(reverse("people:list")).context["reminder_counts"]["overdue"] == 1
    # Her own change forgets them: the page it leads to counts afresh.
    alice_client.post(reverse("activities:activity_done", args=[first.pk]))
    _reminder(alice, -3)
    page = alice_client.get(reverse("people:list"))
    assert page.context["reminder_counts"]["overdue"] == 2
    assert 'title="Overdue">2' in page.content.decode()
    # So does a notification for her: the bell's count on the next page is exact.
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([alice], kind="mention", text=lambda: "Hola", actor=manager)
    assert alice_client.get(reverse("people:list")).context["reminder_counts"]["unread"] == 1


@pytest.mark.parametrize("count", [2, 40])
def test_reminders_query_count(manager_client, manager, django_assert_max_num_queries, count):
    for _ in range(count):
        _reminder(manager, 5)
    with django_assert_max_num_queries(11):
        assert manager_client.get(reverse("activities:reminders")).status_code == 200
