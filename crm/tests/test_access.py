"""crm.access: the scoping every queryset goes through."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import AnonymousUser, Group

from crm import access
from crm.models import User

pytestmark = pytest.mark.django_db


def _entry(user: User) -> LogEntry:
    return LogEntry.objects.create(user=user, object_repr=str(user), action_flag=ADDITION)


def test_agent_sees_only_rows_they_own(alice, bob):
    mine, theirs = _entry(alice), _entry(bob)
    assert list(access.scope(alice, LogEntry.objects.all(), "user")) == [mine]
    assert list(access.scope(bob, LogEntry.objects.all(), "user")) == [theirs]


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_admins_see_everything(persona, request, alice, bob):
    user = request.getfixturevalue(persona)
    _entry(alice), _entry(bob)
    assert access.scope(user, LogEntry.objects.all(), "user").count() == 2


def test_inactive_and_anonymous_users_see_nothing(alice, manager):
    _entry(alice)
    manager.is_active = False
    assert access.scope(manager, LogEntry.objects.all(), "user").count() == 0
    assert access.scope(AnonymousUser(), LogEntry.objects.all(), "user").count() == 0


def test_many_valued_paths_do_not_repeat_rows(alice, bob):
    group = Group.objects.create(name="north")
    group.user_set.add(alice, bob)
    Group.objects.create(name="south").user_set.add(bob)
    assert list(access.scope(alice, Group.objects.all(), "user")) == [group]


def test_only_admins_administer_users(admin_user, manager, alice):
    assert access.users(admin_user).count() == 3
    assert access.users(manager).count() == 0
    assert access.users(alice).count() == 0


def test_agents_assign_only_to_themselves(manager, alice, bob):
    assert list(access.assignable_users(alice)) == [alice]
    assert set(access.assignable_users(manager)) == {manager, alice, bob}


def test_rules_built_once_per_user_follow_their_role_and_state(alice, bob):
    """access.per_user: the same key builds the same queryset; a role or state changed is
    another key, and each caller gets a clone of its own."""
    from activities.models import Activity
    from people.tests.factories import PersonFactory

    hers = Activity.objects.create(
        kind="call", subject="Hers", person=PersonFactory(owner=alice), owner=alice, created_by=alice
    )
    his = Activity.objects.create(
        kind="call", subject="His", person=PersonFactory(owner=bob), owner=bob, created_by=bob
    )
    first, second = access.activities(alice), access.activities(alice)
    assert first is not second
    assert list(first.filter(subject="Nothing")) == []  # a filter on one clone...
    assert set(second) == {hers}  # ...leaves the other as it was
    alice.role = "manager"
    assert set(access.activities(alice)) == {hers, his}
    alice.is_active = False
    assert not access.activities(alice).exists()
    assert not access.activities(AnonymousUser()).exists()
    alice.role, alice.is_active = "agent", True
    assert set(access.activities(alice, followed=True)) == {hers}
