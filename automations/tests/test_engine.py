"""The automations' engine: triggers heard after the commit, conditions, actions through the
services, once per event, chains cut, and only who may see a record hears of it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from activities.models import Activity, Notification
from automations import engine
from automations.models import Rule, RuleRun
from crm.models import User
from crm.tests.factories import UserFactory
from opportunities import services as card_services
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people import services as people_services
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db
T = Rule.Trigger


def rule(admin, trigger, actions, conditions=(), match="all", **extra) -> Rule:
    return Rule.objects.create(
        name=extra.pop("name", "Regla"),
        trigger=trigger,
        actions=list(actions),
        conditions=list(conditions),
        match=match,
        created_by=admin,
        **extra,
    )


def drain() -> int:
    """Run what the changes queued for the worker (as the worker would), until nothing is left."""
    from automations import tasks

    ran = 0
    while queued := list(
        DBTaskResult.objects.filter(task_path="automations.tasks.run_rules", status="READY")
    ):
        for task in queued:
            tasks.run_rules.call(*task.args_kwargs["args"])
            task.delete()
            ran += 1
    return ran


def lead(by, owner, **fields) -> Person:
    return people_services.prospect_from_channel(
        by=by,
        owner=owner,
        source=fields.pop("source", "web_form"),
        first_name="Lucía",
        arrived=True,
        **fields,
    )


def test_a_lead_is_given_in_turn_with_a_call_in_an_hour(
    admin_user, manager, alice, bob, django_capture_on_commit_callbacks
):
    rule(
        admin_user,
        T.LEAD,
        [
            {"type": "give_in_turn"},
            {"type": "activity", "kind": "call", "subject": "Llamar al lead", "hours": 1},
        ],
        name="Leads web",
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = lead(manager, manager)
        second = lead(manager, manager)
    assert DBTaskResult.objects.filter(task_path="automations.tasks.run_rules").count() == 2
    before = timezone.now()
    drain()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.owner, second.owner) == (alice, bob)  # the agents in turn
    call = Activity.objects.get(person=first, kind="call")
    assert (call.owner, call.subject, call.done_at) == (alice, "Llamar al lead", None)
    assert (
        before + datetime.timedelta(minutes=59) < call.due_at < timezone.now() + datetime.timedelta(hours=1)
    )
    note = Activity.objects.get(person=first, kind="note")
    assert note.subject == "By automation Leads web"
    assert "Given to Alice Agent" in note.detail
    run = RuleRun.objects.get(record=f"people.person:{first.pk}")
    assert run.matched
    assert run.done[0] == "Given to Alice Agent"
    assert run.error == ""


def test_a_person_typed_in_by_hand_is_not_a_lead(
    admin_user, manager, alice, django_capture_on_commit_callbacks
):
    rule(admin_user, T.LEAD, [{"type": "give", "user": alice.pk}])
    with django_capture_on_commit_callbacks(execute=True):
        person = lead(manager, manager, source="referral")
    drain()
    person.refresh_from_db()
    assert person.owner == manager
    assert not RuleRun.objects.exists()


@pytest.mark.parametrize(
    ("match", "conditions", "expected"),
    [
        (
            "all",
            [{"field": "country", "op": "eq", "value": "pe"}, {"field": "city", "op": "eq", "value": "Lima"}],
            True,
        ),
        (
            "all",
            [
                {"field": "country", "op": "eq", "value": "PE"},
                {"field": "city", "op": "eq", "value": "Cusco"},
            ],
            False,
        ),
        (
            "any",
            [
                {"field": "country", "op": "eq", "value": "BR"},
                {"field": "city", "op": "in", "value": "Cusco, Lima"},
            ],
            True,
        ),
        ("all", [{"field": "email", "op": "empty"}], False),
        ("all", [{"field": "custom.segmento", "op": "eq", "value": "Retail"}], True),
    ],
)
def test_conditions(admin_user, alice, match, conditions, expected):
    person = PersonFactory(owner=alice, country="PE", city="Lima", custom={"segmento": "retail"})
    assert engine.matches(rule(admin_user, T.PERSON_CREATED, [], conditions, match), person) is expected


def test_tags_amounts_and_cards(admin_user, alice, django_capture_on_commit_callbacks):
    vip = TagFactory(name="VIP")
    board = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=board, agent=alice, amount=15000)
    card.tags.add(vip)
    big = rule(
        admin_user,
        T.CARD_STAGE,
        [{"type": "tag_add", "tag": TagFactory(name="Grande").pk}],
        [
            {"field": "amount", "op": "gt", "value": "10000"},
            {"field": "tags", "op": "contains", "value": str(vip.pk)},
        ],
    )
    assert engine.matches(big, card)
    stage = board.stages.order_by("-position").first()
    with django_capture_on_commit_callbacks(execute=True):
        card_services.opportunity_move(opportunity=card, by=alice, stage=stage)
    drain()
    assert set(card.tags.values_list("name", flat=True)) == {"VIP", "Grande"}


def test_once_per_event_however_often_the_task_runs(
    admin_user, manager, alice, django_capture_on_commit_callbacks
):
    rule(admin_user, T.PERSON_CREATED, [{"type": "activity", "subject": "Bienvenida", "hours": 0}])
    with django_capture_on_commit_callbacks(execute=True):
        person = people_services.person_create(by=alice, owner=alice, first_name="Rosa")
    task = DBTaskResult.objects.get(task_path="automations.tasks.run_rules")
    from automations import tasks

    for _ in range(2):
        tasks.run_rules.call(*task.args_kwargs["args"])
    assert Activity.objects.filter(person=person, subject="Bienvenida").count() == 1
    assert RuleRun.objects.count() == 1


def test_a_failing_action_does_nothing_half_way_and_says_why(admin_user, alice, bob):
    bob.is_active = False
    bob.save()
    broken = rule(
        admin_user,
        T.PERSON_CREATED,
        [{"type": "tag_add", "tag": TagFactory().pk}, {"type": "give", "user": bob.pk}],
    )
    person = PersonFactory(owner=alice)
    run = engine.run_rule(broken, person, key="test:1")
    assert run.matched
    assert run.done == []
    assert run.error
    assert not person.tags.exists()  # the first action was undone with the second


def test_chains_stop_and_a_rule_never_runs_on_what_it_caused(
    admin_user, alice, django_capture_on_commit_callbacks
):
    rule(admin_user, T.PERSON_CREATED, [{"type": "tag_add", "tag": TagFactory().pk}])
    token = engine.CHAIN.set((1, 2, 3))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            people_services.person_create(by=alice, owner=alice, first_name="Rosa")
    finally:
        engine.CHAIN.reset(token)
    assert not DBTaskResult.objects.filter(task_path="automations.tasks.run_rules").exists()
    # A rule already in the chain is left out of the next round.
    person = PersonFactory(owner=alice)
    own = Rule.objects.get()
    assert engine.run(T.PERSON_CREATED, [[person.pk, "x:1"]], [own.pk]) == 0


def test_only_who_may_see_the_record_is_notified(admin_user, manager, alice, bob):
    told = rule(
        admin_user, T.PERSON_CREATED, [{"type": "notify", "users": [manager.pk, bob.pk], "message": "Nuevo"}]
    )
    person = PersonFactory(owner=alice)
    engine.run_rule(told, person, key="test:2")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["manager"]


def test_saving_without_rules_queues_nothing(
    alice, django_capture_on_commit_callbacks, django_assert_num_queries
):
    Rule.objects.create(
        name="Apagada",
        trigger=T.PERSON_CREATED,
        actions=[],
        active=False,
        created_by=UserFactory(role=User.Role.ADMIN),
    )
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_create(by=alice, owner=alice, first_name="Rosa")
    assert not DBTaskResult.objects.filter(task_path="automations.tasks.run_rules").exists()
    # An active one: one more query in the request, and one task queued after the commit.
    Rule.objects.filter(active=False).update(active=True)
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_create(by=alice, owner=alice, first_name="Rosa")
    assert DBTaskResult.objects.filter(task_path="automations.tasks.run_rules").count() == 1


def test_cards_gone_idle_are_found_once_by_the_periodic_check(
    admin_user, alice, django_capture_on_commit_callbacks
):
    from automations import tasks
    from opportunities.models import Opportunity

    board = PipelineFactory(members=[alice])
    stage = board.stages.order_by("position").first()
    stage.stagnant_days = 3
    stage.save()
    idle = OpportunityFactory(pipeline=board, stage=stage, agent=alice)
    fresh = OpportunityFactory(pipeline=board, stage=stage, agent=alice)
    won = OpportunityFactory(pipeline=board, stage=stage, agent=alice)
    chase = rule(
        admin_user, T.CARD_STAGNANT, [{"type": "activity", "subject": "Retomar contacto", "hours": 0}]
    )
    Rule.objects.filter(pk=chase.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    Opportunity.objects.filter(pk__in=[idle.pk, won.pk]).update(
        updated_at=timezone.now() - datetime.timedelta(days=4)
    )
    Opportunity.objects.filter(pk=won.pk).update(status="closed")
    assert engine.check_time() == 1  # one stage's window handed to the worker
    for task in DBTaskResult.objects.filter(task_path="automations.tasks.run_idle"):
        assert tasks.run_idle.call(*task.args_kwargs["args"]) == 1
        assert tasks.run_idle.call(*task.args_kwargs["args"]) == 0  # tried again: once per idle stretch
        task.delete()
    assert list(
        Activity.objects.filter(subject="Retomar contacto").values_list("opportunity", flat=True)
    ) == [idle.pk]
    assert fresh.pk != idle.pk
    # The next check looks only past the last one: nothing again.
    assert engine.check_time() == 0


def test_campaign_move_and_email_actions(admin_user, alice, settings):
    from activities.models import Email
    from activities.services import email_template_save
    from campaigns.models import CampaignMember
    from campaigns.tests.factories import CampaignFactory

    settings.EMAIL_ENABLED = True
    board = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=board, agent=alice)
    card.contact.email = "rosa@cliente.pe"
    card.contact.save()
    campaign = CampaignFactory(owner=admin_user)
    last = board.stages.order_by("-position").first()
    template = email_template_save(
        template=None,
        by=admin_user,
        team=True,
        name="Gracias",
        language="es",
        subject="Gracias, {first_name}",
        body="Hola {first_name}",
    )
    won = rule(
        admin_user,
        T.CARD_CREATED,
        [
            {"type": "campaign", "campaign": campaign.pk},
            {"type": "move", "stage": last.pk},
            {"type": "email", "template": template.pk},
        ],
    )
    # Without a basis to write to the contact by email, the email is skipped, the rest done.
    run = engine.run_rule(won, card, key="t:no-consent")
    assert run.error == ""
    assert (
        run.done[-1] == "Email skipped: no consent (or other lawful basis) to write to this person by email"
    )
    assert not Email.objects.exists()
    from crm import consent

    consent.record(
        people=[card.contact.pk], channels=["email"], purposes=["sales"], given=True, source="agent"
    )
    run = engine.run_rule(won, card, key="t:campaign")
    assert run.error == ""
    assert CampaignMember.objects.filter(campaign=campaign, person=card.contact, agent=alice).exists()
    card.refresh_from_db()
    assert card.stage == last
    email = Email.objects.get()
    assert (email.to.strip(), email.subject) == ("rosa@cliente.pe", f"Gracias, {card.contact.first_name}")


def test_a_webhook_action_posts_the_record_and_a_refusal_undoes_the_run(admin_user, alice, settings):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    settings.WEBHOOK_ALLOW_PRIVATE = True
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200 if len(received) == 1 else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        tag = TagFactory()
        hook = rule(
            admin_user,
            T.PERSON_CREATED,
            [{"type": "tag_add", "tag": tag.pk}, {"type": "webhook", "url": url}],
        )
        person = PersonFactory(owner=alice)
        assert engine.run_rule(hook, person, key="t:hook1").error == ""
        assert received[0]["record"] == {"type": "people.person", "id": person.pk, "name": str(person)}
        other = PersonFactory(owner=alice)
        failed = engine.run_rule(hook, other, key="t:hook2")
        assert "The webhook did not take it" in failed.error
        assert not other.tags.exists()  # the tag of the same run was undone
    finally:
        server.shutdown()


def test_reminders_overdue_by_the_rules_hours_are_found_once_by_the_periodic_check(
    admin_user, manager, alice, bob
):
    from activities.services import activity_mark_done
    from automations import tasks

    person = PersonFactory(owner=alice, first_name="Tomás")
    now = timezone.now()

    def reminder(subject, hours_ago, **fields):
        return Activity.objects.create(
            kind=fields.pop("kind", "call"),
            subject=subject,
            person=person,
            owner=alice,
            created_by=alice,
            due_at=now - datetime.timedelta(hours=hours_ago),
        )

    late = reminder("Llamar a Tomás", 5)
    reminder("Recién vencido", 1)  # overdue, not yet by the rule's hours
    done = reminder("Ya hecho", 6)
    activity_mark_done(activity=done, by=alice)
    visit = reminder("Visitar", 7, kind="visit")
    chase = rule(
        admin_user,
        T.REMINDER_OVERDUE,
        [
            {"type": "give", "user": bob.pk},
            {"type": "notify", "users": [manager.pk, alice.pk], "message": "Atrasado"},
            {"type": "tag_add", "tag": TagFactory(name="atrasado").pk},
        ],
        conditions=[{"field": "kind", "op": "eq", "value": "call"}],
        hours=2,
        name="Escalar",
    )
    Rule.objects.filter(pk=chase.pk).update(created_at=now - datetime.timedelta(days=2))
    assert engine.check_time() == 1
    for task in DBTaskResult.objects.filter(task_path="automations.tasks.run_overdue"):
        assert tasks.run_overdue.call(*task.args_kwargs["args"]) == 1  # the visit does not match
        assert tasks.run_overdue.call(*task.args_kwargs["args"]) == 0  # tried again: once per due time
        task.delete()
    late.refresh_from_db()
    assert late.owner == bob  # the reminder is given, its person stays Alice's
    person.refresh_from_db()
    assert person.owner == alice
    assert [t.name for t in person.tags.all()] == ["atrasado"]
    told = Notification.objects.get(user=manager)
    assert "Escalar" in told.text
    assert told.url == person.get_absolute_url()
    told = Notification.objects.filter(kind="automation").values_list("user", flat=True)
    assert set(told) == {manager.pk, alice.pk}  # both may see Tomás
    assert Notification.objects.filter(kind="given").get().user == bob  # the reminder given
    note = Activity.objects.get(person=person, kind="note")
    assert note.subject == "By automation Escalar"
    assert RuleRun.objects.filter(rule=chase).count() == 2  # the late call and the visit
    assert RuleRun.objects.get(rule=chase, matched=False).record == f"activities.activity:{visit.pk}"
    # Nothing new since the last look; a reminder put off and missed again counts again.
    assert engine.check_time() == 0
    Activity.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=3))
    Rule.objects.filter(pk=chase.pk).update(checked_until=now - datetime.timedelta(hours=4))
    assert engine.check_time() == 1
    task = DBTaskResult.objects.get(task_path="automations.tasks.run_overdue")
    assert tasks.run_overdue.call(*task.args_kwargs["args"]) == 1


def test_an_email_answered_by_the_person_runs_the_answered_rules(
    admin_user, alice, django_capture_on_commit_callbacks
):
    from activities.services import activity_log, activity_received

    person = PersonFactory(owner=alice, first_name="Irene", email="irene@example.com")
    sent, _follow_up = activity_log(by=alice, kind="email", subject="Propuesta", person=person, done=True)
    rule(
        admin_user,
        T.ANSWERED,
        [{"type": "activity", "kind": "call", "subject": "Llamar: respondió", "hours": 0}],
        name="Respondió",
    )
    with django_capture_on_commit_callbacks(execute=True):
        # A message that answers nothing of ours, then the answer to our email.
        activity_received(kind="email", subject="Hola", detail="", person=person, at=timezone.now())
        answer = activity_received(
            kind="email",
            subject="Re: Propuesta",
            detail="Sí",
            person=person,
            at=timezone.now(),
            in_reply_to=sent,
        )
        activity_received(kind="whatsapp", subject="Hola", detail="", person=person, at=timezone.now())
    assert drain() == 1
    call = Activity.objects.get(person=person, subject="Llamar: respondió")
    assert (call.owner, call.done_at) == (alice, None)
    assert RuleRun.objects.get().key == f"activities.activity:{answer.pk}"


def _won(card, by):
    card_services.opportunity_set_status(opportunity=card, by=by, status="closed", invoice_number="F001-1")


def _lost(card, by):
    card_services.opportunity_set_status(
        opportunity=card, by=by, status="lost", lost_reason="Precio", improvement="Cuotas"
    )


def _order_done(order, by):
    from serviceorders import services as order_services

    order_services.entry_add(order=order, by=by, detail="Listo", finished=True)


def _order_verified(order, by):
    from serviceorders import services as order_services

    _order_done(order, by)
    order_services.order_verify(order=order, by=by, comments="Bien", closed=True, rating=5)


def _order_reopened(order, by):
    from serviceorders import services as order_services

    _order_done(order, by)
    order_services.order_reopen(order=order, by=by, comments="Falla otra vez")


@pytest.mark.parametrize(
    ("trigger", "subject", "happen"),
    [
        (
            T.PERSON_STAGE,
            "person",
            lambda p, by: people_services.person_set_stage(person=p, by=by, stage="client"),
        ),
        (T.CARD_WON, "card", _won),
        (T.CARD_LOST, "card", _lost),
        (T.ORDER_DONE, "order", _order_done),
        (T.ORDER_VERIFIED, "order", _order_verified),
        (T.ORDER_REOPENED, "order", _order_reopened),
    ],
)
def test_each_trigger_runs_its_rules_once_the_change_is_saved(
    admin_user, manager, alice, trigger, subject, happen, django_capture_on_commit_callbacks
):
    from serviceorders.tests.factories import ServiceOrderFactory

    board = PipelineFactory(members=[alice])
    record = {
        "person": lambda: PersonFactory(owner=alice),
        "card": lambda: OpportunityFactory(pipeline=board, agent=alice),
        "order": lambda: ServiceOrderFactory(assignee=alice),
    }[subject]()
    rule(admin_user, trigger, [{"type": "notify", "users": [manager.pk], "message": "Mire"}], name="Aviso")
    # Another trigger's rule stays quiet.
    rule(
        admin_user,
        T.CARD_CREATED if subject != "card" else T.PERSON_CREATED,
        [{"type": "give", "user": alice.pk}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        happen(record, alice)
    assert drain() == 1
    told = Notification.objects.get(user=manager, kind="automation")
    assert told.text == f"Automation Aviso: {record}"
    assert told.url == record.get_absolute_url()
    assert RuleRun.objects.get().matched


def test_an_order_created_runs_its_rules(admin_user, manager, alice, django_capture_on_commit_callbacks):
    from serviceorders.tests.factories import ServiceOrderFactory

    rule(admin_user, T.ORDER_CREATED, [{"type": "give", "user": manager.pk}], name="A soporte")
    with django_capture_on_commit_callbacks(execute=True):
        order = ServiceOrderFactory(assignee=alice)
    drain()
    order.refresh_from_db()
    assert order.assignee == manager


def test_a_tag_is_taken_off(admin_user, alice, django_capture_on_commit_callbacks):
    cold = TagFactory(name="frío")
    person = PersonFactory(owner=alice)
    person.tags.add(cold)
    rule(admin_user, T.PERSON_STAGE, [{"type": "tag_remove", "tag": cold.pk}])
    with django_capture_on_commit_callbacks(execute=True):
        people_services.person_set_stage(person=person, by=alice, stage="interested")
    drain()
    assert not person.tags.exists()


def test_a_run_names_records_with_long_labels_and_large_numbers(admin_user, alice):
    """An order's label with a six-digit number (a team with half a million orders)."""
    from django.db import connection

    from serviceorders.tests.factories import ServiceOrderFactory

    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('serviceorders_serviceorder', 'id'), 8999999)")
    order = ServiceOrderFactory(assignee=alice)
    run = engine.run_rule(rule(admin_user, T.ORDER_CREATED, []), order, key="t:big")
    assert run.record == f"serviceorders.serviceorder:{order.pk}"
    assert order.pk >= 9_000_000
