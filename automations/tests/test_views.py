"""The rule builder and a rule's page, in the browser's terms (the access walk covers who)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from automations import engine
from automations.models import Rule, RuleRun
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def form(**extra):
    data = {
        "name": "Leads web",
        "trigger": "person.lead",
        "match": "all",
        "active": "on",
        "if-TOTAL_FORMS": "2",
        "if-INITIAL_FORMS": "0",
        "if-0-field": "person:country",
        "if-0-op": "eq",
        "if-0-value": "PE",
        "then-TOTAL_FORMS": "2",
        "then-INITIAL_FORMS": "0",
        "then-0-type": "give_in_turn",
        "then-1-type": "activity",
        "then-1-kind": "call",
        "then-1-subject": "Llamar al lead",
        "then-1-hours": "1",
    }
    data.update(extra)
    return data


def test_an_admin_builds_a_rule(admin_client, admin_user):
    assert admin_client.get(reverse("automations:create")).status_code == 200
    response = admin_client.post(reverse("automations:create"), form())
    rule = Rule.objects.get()
    assert response["Location"] == rule.get_absolute_url()
    assert rule.conditions == [{"field": "country", "op": "eq", "value": "PE"}]
    assert rule.actions == [
        {"type": "give_in_turn"},
        {"type": "activity", "kind": "call", "subject": "Llamar al lead", "hours": 1.0},
    ]
    # Edited again: what was saved comes back in the form.
    page = admin_client.get(reverse("automations:edit", args=[rule.pk])).content.decode()
    assert 'value="Llamar al lead"' in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"then-0-type": "", "then-1-type": ""}, "Choose at least one action."),
        ({"if-0-field": "opportunity:amount"}, "This field is not of the record the rule is about."),
        ({"then-0-type": "give"}, "This action needs it."),
        ({"name": ""}, "This field is required."),
        ({"then-1-hours": "99999999"}, "Ensure this value is less than or equal to"),
        ({"trigger": "reminder.overdue"}, "Say after how many hours a reminder counts as overdue."),
        ({"trigger": "reminder.overdue", "hours": "9999999"}, "Ensure this value is less than or equal to"),
    ],
)
def test_bad_rules_are_refused_next_to_the_field(admin_client, extra, message):
    response = admin_client.post(reverse("automations:create"), form(**extra))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="Llamar al lead"' in page or extra.get("then-1-type") == ""
    assert not Rule.objects.exists()


def test_switch_order_and_delete(admin_client, admin_user):
    first = Rule.objects.create(
        name="A", trigger="person.created", actions=[], position=0, created_by=admin_user
    )
    second = Rule.objects.create(
        name="B", trigger="person.created", actions=[], position=1, created_by=admin_user
    )
    admin_client.post(reverse("automations:move", args=[second.pk]), {"step": "up"})
    assert list(Rule.objects.values_list("name", flat=True)) == ["B", "A"]
    admin_client.post(reverse("automations:toggle", args=[first.pk]))
    first.refresh_from_db()
    assert not first.active
    admin_client.post(reverse("automations:delete", args=[first.pk]))
    assert list(Rule.objects.values_list("name", flat=True)) == ["B"]


def test_testing_a_rule_counts_and_tries_one_record_without_doing_anything(admin_client, admin_user, alice):
    from people import services as people_services

    tag = TagFactory()
    rule = Rule.objects.create(
        name="Lima",
        trigger="person.created",
        conditions=[{"field": "city", "op": "eq", "value": "Lima"}],
        actions=[{"type": "tag_add", "tag": tag.pk}],
        created_by=admin_user,
    )
    lima = people_services.person_create(by=alice, owner=alice, first_name="Rosa", city="Lima")
    people_services.person_create(by=alice, owner=alice, first_name="Luis", city="Cusco")
    page = admin_client.get(reverse("automations:detail", args=[rule.pk]), {"test": "1", "record": lima.pk})
    text = page.content.decode()
    assert "city is Lima" in text  # the rule in words, not its codes
    assert "Add a tag" in text
    assert "it would have matched 1 record of 2." in text
    assert f"It matches {lima}" in text
    assert not lima.tags.exists()  # a dry run
    assert not RuleRun.objects.exists()
    assert (
        "No record with that number."
        in admin_client.get(
            reverse("automations:detail", args=[rule.pk]), {"test": "1", "record": "x" * 40}
        ).content.decode()
    )
    # Its runs show on its page.
    engine.run_rule(rule, PersonFactory(owner=alice, city="Lima"), key="t:1")
    assert "Tag added" in admin_client.get(reverse("automations:detail", args=[rule.pk])).content.decode()


def test_testing_an_idle_card_rule(admin_client, admin_user):
    rule = Rule.objects.create(name="Idle", trigger="opportunity.stagnant", actions=[], created_by=admin_user)
    page = admin_client.get(reverse("automations:detail", args=[rule.pk]), {"test": "1"})
    assert page.status_code == 200
    assert "it would have matched 0 records of 0." in page.content.decode()


def test_an_overdue_reminder_rule_keeps_its_hours_and_is_tested_on_reminders(admin_client, admin_user, alice):
    import datetime

    from django.utils import timezone

    from activities.models import Activity

    data = form(
        trigger="reminder.overdue", hours="4", **{"if-0-field": "reminder:kind", "if-0-value": "call"}
    )
    data.update({"then-0-type": "give", "then-0-user": str(alice.pk)})
    response = admin_client.post(reverse("automations:create"), data)
    rule = Rule.objects.get()
    assert response["Location"] == rule.get_absolute_url()
    assert (rule.hours, rule.conditions) == (4, [{"field": "kind", "op": "eq", "value": "call"}])
    person = PersonFactory(owner=alice)
    for kind, hours_ago in (("call", 5), ("visit", 6), ("call", 1)):
        Activity.objects.create(
            kind=kind,
            subject="Pendiente",
            person=person,
            owner=alice,
            created_by=alice,
            due_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        )
    page = admin_client.get(reverse("automations:detail", args=[rule.pk]), {"test": "1"}).content.decode()
    assert "kind is call" in page
    assert "it would have matched 1 record of 2." in page  # the one due an hour ago is not late enough
    # Another trigger forgets the hours.
    data.update(trigger="person.lead", **{"if-0-field": "person:country"})
    data.update({"if-INITIAL_FORMS": "1", "then-INITIAL_FORMS": "1"})  # as the edit page says
    admin_client.post(reverse("automations:edit", args=[rule.pk]), data)
    rule.refresh_from_db()
    assert rule.hours is None


def test_the_builder_offers_the_values_of_a_conditions_field(admin_client, alice):
    TagFactory(name="vip")
    page = admin_client.get(reverse("automations:create")).content.decode()
    assert 'data-field="person:owner"' in page
    assert f'<option value="{alice.pk}">{alice}</option>' in page
    assert 'data-field="person:tags"' in page
    assert ">vip</option>" in page
    assert 'data-uses="user"' in page  # each action's fields, for the builder to show the chosen one's


def _queries(client, url: str, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context)


def test_the_pages_read_a_fixed_number_of_queries(admin_client, admin_user, alice):
    def add(n):
        for _ in range(n):
            Rule.objects.create(
                name=f"R{Rule.objects.count()}",
                trigger="person.created",
                conditions=[{"field": "city", "op": "eq", "value": "Lima"}],
                actions=[{"type": "activity", "subject": "Hola", "hours": 1}],
                created_by=admin_user,
            )
            RuleRun.objects.create(rule=first, key=f"k{RuleRun.objects.count()}", record="people.person:1")

    first = Rule.objects.create(name="First", trigger="person.created", actions=[], created_by=admin_user)
    urls = [
        reverse("automations:list"),
        reverse("automations:detail", args=[first.pk]),
        reverse("automations:create"),
    ]
    add(1)
    few = [_queries(admin_client, url) for url in urls]
    add(10)
    assert [_queries(admin_client, url) for url in urls] == few


def test_testing_a_rule_on_tags_reads_them_once_per_batch(admin_client, admin_user, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people import services as people_services

    vip = TagFactory(name="vip")
    rule = Rule.objects.create(
        name="VIP",
        trigger="person.created",
        conditions=[{"field": "tags", "op": "contains", "value": str(vip.pk)}],
        actions=[],
        created_by=admin_user,
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            admin_client.get(reverse("automations:detail", args=[rule.pk]), {"test": "1"})
        return len(context)

    people_services.person_create(by=alice, owner=alice, first_name="Uno", tags=[vip])
    few = queries()
    for n in range(10):
        people_services.person_create(by=alice, owner=alice, first_name=f"P{n}", tags=[vip])
    assert queries() == few
    assert (
        "it would have matched 11 records of 11."
        in admin_client.get(reverse("automations:detail", args=[rule.pk]), {"test": "1"}).content.decode()
    )
