"""The automations' engine: when a record's timeline records an event (crm.signals.
events_recorded, inside the change's transaction), the rules of that trigger are handed to the
task worker once the change commits — the user's request pays one query and one queued task,
whatever the number of rules. The worker checks each active rule in order on the record (its
conditions, all or any) and does its actions through the apps' services, as the rule's author,
once per event (RuleRun's unique key), with a note on the record's timeline and a log on the
rule's page.

A rule's actions record events too: they run in a chain (a context variable) that the next
round inherits, so a rule never runs again on what it caused, and chains stop at ``MAX_DEPTH``.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from automations.models import Rule, RuleRun
from crm.signals import events_recorded, message_received

logger = logging.getLogger(__name__)
T = Rule.Trigger
MAX_DEPTH = 3
# The rules (by id) whose actions are running: what they cause carries the chain along.
CHAIN: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("automation_chain", default=())
LEAD_SOURCES = ("web_form", "whatsapp")

# (event model, event kind) -> the triggers it may be; the worker confirms the uncertain ones
# (a created person is a lead if a web form or WhatsApp brought them; a status is won or lost).
EVENT_TRIGGERS = {
    ("people.personevent", "created"): (T.PERSON_CREATED, T.LEAD),
    ("people.personevent", "stage"): (T.PERSON_STAGE,),
    ("opportunities.opportunityevent", "created"): (T.CARD_CREATED,),
    ("opportunities.opportunityevent", "stage"): (T.CARD_STAGE,),
    ("opportunities.opportunityevent", "status"): (T.CARD_WON, T.CARD_LOST),
    ("serviceorders.serviceorderevent", "created"): (T.ORDER_CREATED,),
    ("serviceorders.serviceorderevent", "done"): (T.ORDER_DONE,),
    ("serviceorders.serviceorderevent", "verified"): (T.ORDER_VERIFIED,),
    ("serviceorders.serviceorderevent", "reopened"): (T.ORDER_REOPENED,),
}
# The other way round: the event (model, kind) each event-borne trigger comes from.
EVENT_OF = {trigger: event for event, triggers in EVENT_TRIGGERS.items() for trigger in triggers}
# What a trigger is about: the record's model and its field on an activity.
SUBJECTS = {
    "person": ("people.Person", "person"),
    "opportunity": ("opportunities.Opportunity", "opportunity"),
    "order": ("serviceorders.ServiceOrder", "service_order"),
    "reminder": ("activities.Activity", "activity"),
}
# The field naming a record on an activity (a note, a reminder), by the record's model.
FIELD_OF = {
    "people.person": "person",
    "companies.company": "company",
    "opportunities.opportunity": "opportunity",
    "serviceorders.serviceorder": "service_order",
}


def subject_of(trigger: str) -> tuple[str, str]:
    return SUBJECTS[trigger.split(".", 1)[0]]


def confirmed(trigger: str, record) -> bool:
    if trigger == T.LEAD:
        return record.source in LEAD_SOURCES
    if trigger == T.CARD_WON:
        return record.status == "closed"
    if trigger == T.CARD_LOST:
        return record.status == "lost"
    return True


# Hearing the events ------------------------------------------------------------------


def heard(sender, events, **kwargs) -> None:
    """Hand the rules of these events' triggers to the worker, after the commit."""
    label = sender._meta.label_lower
    field = sender.record_field
    found: dict[str, list[list]] = {}
    for event in events:
        for trigger in EVENT_TRIGGERS.get((label, event.kind), ()):
            found.setdefault(trigger, []).append([getattr(event, f"{field}_id"), f"{label}:{event.pk}"])
    if not found:
        return
    chain = CHAIN.get()
    if len(chain) >= MAX_DEPTH:
        return
    wanted = set(Rule.objects.filter(active=True, trigger__in=list(found)).values_list("trigger", flat=True))
    if not wanted:
        return
    from automations import tasks

    for trigger in sorted(wanted):
        items = found[trigger]
        transaction.on_commit(
            lambda trigger=trigger, items=items: tasks.run_rules.enqueue(trigger, items, list(chain))
        )


def heard_message(sender, activity, **kwargs) -> None:
    """A customer's email that answers one of ours: the person's "answered" rules, after the
    commit."""
    if not (activity.kind == "email" and activity.in_reply_to_id and activity.person_id):
        return
    chain = CHAIN.get()
    if len(chain) >= MAX_DEPTH or not Rule.objects.filter(active=True, trigger=T.ANSWERED).exists():
        return
    from automations import tasks

    items = [[activity.person_id, f"activities.activity:{activity.pk}"]]
    transaction.on_commit(lambda: tasks.run_rules.enqueue(T.ANSWERED, items, list(chain)))


def connect() -> None:
    receiver(events_recorded, weak=False, dispatch_uid="automations.heard")(heard)
    receiver(message_received, weak=False, dispatch_uid="automations.heard_message")(heard_message)


# Running the rules ---------------------------------------------------------------------


def run(trigger: str, items: list, chain: list[int]) -> int:
    """The active rules of ``trigger`` on each (record id, event key) of ``items``; returns
    how many runs matched."""
    model = apps.get_model(subject_of(trigger)[0])
    rules = [rule for rule in Rule.objects.filter(active=True, trigger=trigger) if rule.pk not in chain]
    matched = 0
    for record_id, key in items:
        record = model.objects.filter(pk=record_id).first()
        if record is None or not confirmed(trigger, record):
            continue
        for rule in rules:
            done = run_rule(rule, record, key=key, chain=tuple(chain))
            matched += bool(done and done.matched)
    return matched


def run_rule(rule: Rule, record, *, key: str, chain: tuple[int, ...] = (), dry: bool = False):
    """One rule on one record for one event (None: it already ran for that event)."""
    label = f"{record._meta.label_lower}:{record.pk}"
    if dry:
        return RuleRun(
            rule=rule, key=key, record=label, record_label=str(record)[:200], matched=matches(rule, record)
        )
    try:
        with transaction.atomic():
            run = RuleRun.objects.create(
                rule=rule, key=key, record=label, record_label=str(record)[:200], depth=len(chain)
            )
    except IntegrityError:
        return None  # this event was handled already (the task tried again)
    run.matched = matches(rule, record)
    if run.matched:
        token = CHAIN.set((*chain, rule.pk))
        try:
            with transaction.atomic():
                for action in rule.actions:
                    run.done.append(perform(rule, action, record))
                _note(rule, record, run.done)
        except (ValidationError, ObjectDoesNotExist, LookupError, ValueError, TypeError) as error:
            run.done = []
            run.error = " ".join(getattr(error, "messages", [str(error)]))[:2000]
        finally:
            CHAIN.reset(token)
    run.save(update_fields=["matched", "done", "error"])
    return run


def main_record(record):
    """What an action reaches: the record, or for a reminder what it is about (its card,
    its order, its person or its company)."""
    if record._meta.label_lower != "activities.activity":
        return record
    for field in ("opportunity", "service_order", "person", "company"):
        if (value := getattr(record, field)) is not None:
            return value
    raise ValidationError(_("This reminder is about no record."))


def about(record) -> dict:
    """The records ``record`` is about, by their field on an activity (who may see it)."""
    if record._meta.label_lower != "activities.activity":
        return {FIELD_OF[record._meta.label_lower]: record}
    return {
        field: value
        for field in ("person", "company", "opportunity", "service_order")
        if (value := getattr(record, field)) is not None
    }


def _note(rule: Rule, record, done: list[str]) -> None:
    from activities.services import note_add

    record = main_record(record)
    field = FIELD_OF[record._meta.label_lower]
    if (
        field in ("person", "company")
        or getattr(record, "contact_id", None)
        or getattr(record, "company_id", None)
    ):
        note_add(
            record=record,
            field=field,
            by=rule.created_by,
            subject=_("By automation %(name)s") % {"name": rule},
            detail="\n".join(done),
        )


# Conditions ----------------------------------------------------------------------------


def _ids(values) -> set[str]:
    return {str(value) for value in values}


# field -> (label, how to read it from a record) per subject; values compare as text.
FIELDS: dict[str, dict[str, Callable]] = {
    "person": {
        "stage": lambda r: r.stage,
        "source": lambda r: r.source,
        "country": lambda r: r.country,
        "city": lambda r: r.city,
        "owner": lambda r: r.owner_id,
        "tags": lambda r: _ids(tag.pk for tag in r.tags.all()),
        "email": lambda r: r.email,
    },
    "opportunity": {
        "pipeline": lambda r: r.pipeline_id,
        "stage": lambda r: r.stage_id,
        "agent": lambda r: r.agent_id,
        "amount": lambda r: r.amount,
        "currency": lambda r: r.currency,
        "source": lambda r: r.source,
        "tags": lambda r: _ids(tag.pk for tag in r.tags.all()),
    },
    "order": {
        "priority": lambda r: r.priority,
        "assignee": lambda r: r.assignee_id,
        "category": lambda r: r.category_id,
        "project": lambda r: r.project_id,
    },
    "reminder": {
        "kind": lambda r: r.kind,
        "owner": lambda r: r.owner_id,
        "category": lambda r: r.category_id,
        "subject": lambda r: r.subject,
    },
}
OPS = ("eq", "ne", "in", "contains", "gt", "lt", "empty", "filled")


def value_of(record, subject: str, field: str):
    if field.startswith("custom."):
        return (getattr(record, "custom", None) or {}).get(field.removeprefix("custom."))
    reader = FIELDS[subject].get(field)
    if reader is None:
        raise LookupError(field)
    return reader(record)


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def holds(actual, op: str, expected) -> bool:
    expected = "" if expected is None else str(expected).strip()
    if op == "empty":
        return actual in (None, "", set(), [])
    if op == "filled":
        return actual not in (None, "", set(), [])
    if isinstance(actual, set):  # tags: by id
        wanted = {part.strip() for part in expected.split(",") if part.strip()}
        return {"contains": bool(actual & wanted), "eq": actual == wanted, "ne": actual != wanted}.get(
            op, bool(actual & wanted)
        )
    text = "" if actual is None else str(actual)
    if op == "eq":
        return text.casefold() == expected.casefold()
    if op == "ne":
        return text.casefold() != expected.casefold()
    if op == "in":
        return text.casefold() in {part.strip().casefold() for part in expected.split(",")}
    if op == "contains":
        return expected.casefold() in text.casefold()
    if op in ("gt", "lt"):
        left, right = _number(actual), _number(expected)
        if left is None or right is None:
            return False
        return left > right if op == "gt" else left < right
    raise LookupError(op)


def matches(rule: Rule, record) -> bool:
    subject = rule.trigger.split(".", 1)[0]
    results = (
        holds(value_of(record, subject, c.get("field", "")), c.get("op", "eq"), c.get("value"))
        for c in rule.conditions
    )
    if not rule.conditions:
        return True
    return all(results) if rule.match == Rule.Match.ALL else any(results)


# Actions -------------------------------------------------------------------------------


def _user(pk):
    from crm.models import User

    return User.objects.get(pk=pk, is_active=True)


def _owner_field(record) -> str:
    """The field naming who is responsible for the record (the access rules' own table)."""
    from crm.access import RESPONSIBLE

    return RESPONSIBLE[record._meta.label_lower]


def _list_action(rule: Rule, record, slug: str, value) -> None:
    """Do to one record what its list's bulk action ``slug`` does (crm.bulk: give, tag),
    through the same services, as the rule's author."""
    from crm import bulk

    label = record._meta.label_lower
    kind = next(kind for kind in bulk.KINDS.values() if kind.model_path.lower() == label)
    action = kind.action(slug)
    if action is None:
        raise ValidationError(_("Service orders have no tags."))
    action.run(user=rule.created_by, pks=[record.pk], value=value)


def _give(rule: Rule, record, user) -> str:
    _list_action(rule, record, "reassign", user)
    setattr(record, f"{_owner_field(record)}_id", user.pk)
    return _("Given to %(name)s") % {"name": user}


def _in_turn(rule: Rule, board_id=None):
    """The next of the agents (of a board, if named) in turn, counted per rule."""
    from crm.models import User
    from crm.numbers import next_number

    agents = User.objects.filter(is_active=True, role=User.Role.AGENT)
    if board_id:
        agents = agents.filter(pipelines__pk=board_id)
    agents = list(agents.order_by("pk"))
    if not agents:
        raise ValidationError(_("Nobody to give it to: no active agent."))
    return agents[(next_number(f"automation-{rule.pk}") - 1) % len(agents)]


def _activity(rule: Rule, record, action: dict) -> str:
    """A planned activity about the record (a reminder: about what it is about), its owner's."""
    from activities.services import activity_log

    hours = float(action.get("hours") or 0)
    if not 0 <= hours <= 24 * 366:
        raise ValidationError(_("Plan it within a year."))
    label = record._meta.label_lower
    about = {
        "activities.activity": lambda: {
            "person": record.person,
            "company": record.company,
            "opportunity": record.opportunity,
            "service_order": record.service_order,
        },
        "people.person": lambda: {"person": record},
        "opportunities.opportunity": lambda: {
            "opportunity": record,
            "person": record.contact,
            "company": record.company,
        },
        "serviceorders.serviceorder": lambda: {
            "service_order": record,
            "person": record.contact,
            "company": record.company,
        },
    }[label]()
    owner = getattr(record, _owner_field(record))
    activity, _follow_up = activity_log(
        by=rule.created_by,
        owner=owner,
        kind=action.get("kind") or "task",
        subject=(action.get("subject") or str(rule))[:200],
        done=False,
        due_at=timezone.now() + datetime.timedelta(hours=hours),
        **about,
    )
    return _("Planned for %(name)s: %(subject)s") % {"name": owner, "subject": activity.subject}


def _tag(rule: Rule, record, action: dict, add: bool) -> str:
    tag = apps.get_model("people.Tag").objects.get(pk=action.get("tag"))
    _list_action(rule, main_record(record), "add_tag" if add else "remove_tag", tag)
    return (_("Tag added: %(tag)s") if add else _("Tag removed: %(tag)s")) % {"tag": tag}


def _notify(rule: Rule, record, action: dict) -> str:
    from activities import mentions, notifications
    from crm.models import User

    users = list(User.objects.filter(pk__in=action.get("users") or [], is_active=True))
    # Only those who may see the record (a reminder: what it is about) hear of it.
    seeing = mentions.who_may_see(users, about(record))
    told = [user for user in users if user.pk in seeing]
    notifications.notify(
        told,
        kind=notifications.Kind.AUTOMATION,
        text=lambda: _("Automation %(name)s: %(record)s") % {"name": rule, "record": record},
        detail=action.get("message", ""),
        url=main_record(record).get_absolute_url(),
    )
    return _("Notified: %(names)s") % {"names": ", ".join(str(user) for user in told) or "—"}


def _person_of(record):
    """The person an action about people reaches: the record, or a card's or order's contact
    (a reminder's: that of what it is about)."""
    record = main_record(record)
    person = record if record._meta.label_lower == "people.person" else getattr(record, "contact", None)
    if person is None:
        raise ValidationError(_("This record has no contact person."))
    return person


def _campaign(rule: Rule, record, action: dict) -> str:
    from campaigns.services import members_add

    campaign = apps.get_model("campaigns.Campaign").objects.get(pk=action.get("campaign"))
    person = _person_of(record)
    members_add(
        campaign=campaign,
        people=type(person).objects.filter(pk=person.pk),
        by=rule.created_by,
        agent=getattr(record, _owner_field(record)),
    )
    return _("Added to the campaign %(campaign)s") % {"campaign": campaign}


def _move(rule: Rule, record, action: dict) -> str:
    from opportunities.services import opportunity_move

    record = main_record(record)
    if record._meta.label_lower != "opportunities.opportunity":
        raise ValidationError(_("Only cards move between stages."))
    stage = apps.get_model("opportunities.Stage").objects.get(pk=action.get("stage"))
    opportunity_move(opportunity=record, by=rule.created_by, stage=stage)
    return _("Moved to %(stage)s") % {"stage": stage}


def _email(rule: Rule, record, action: dict) -> str:
    from activities.models import EmailTemplate
    from activities.services import email_draft, email_send
    from crm import consent

    template = EmailTemplate.objects.get(pk=action.get("template"))
    person = _person_of(record)
    if not consent.may_contact(person, consent.Channel.EMAIL, consent.Purpose.SALES):
        return _("Email skipped: no consent (or other lawful basis) to write to this person by email")
    agent = getattr(record, _owner_field(record))
    card = main_record(record)
    opportunity = card if card._meta.label_lower == "opportunities.opportunity" else None
    draft = email_draft(template=template, agent=agent, person=person, opportunity=opportunity)
    email_send(by=agent, person=person, subject=draft["subject"], body=draft["body"], opportunity=opportunity)
    return _("Email sent to %(address)s: %(subject)s") % {
        "address": person.email,
        "subject": draft["subject"],
    }


def _webhook(rule: Rule, record, action: dict) -> str:
    import json

    from crm import outbound

    body = json.dumps(
        {
            "automation": rule.name,
            "trigger": rule.trigger,
            "record": {"type": record._meta.label_lower, "id": record.pk, "name": str(record)},
            "at": timezone.now().isoformat(),
        }
    ).encode()
    code, error = outbound.post(
        str(action.get("url", "")), body, {"Content-Type": "application/json"}, timeout=5
    )
    if code is None or not 200 <= code < 300:
        raise ValidationError(_("The webhook did not take it: %(reason)s") % {"reason": error or code})
    return _("Webhook called: %(url)s") % {"url": action.get("url")}


def perform(rule: Rule, action: dict, record) -> str:
    """Do one action on the record; returns what was done, in words."""
    kind = action.get("type")
    if kind == "give":
        return _give(rule, record, _user(action.get("user")))
    if kind == "give_in_turn":
        return _give(rule, record, _in_turn(rule, action.get("board")))
    if kind == "activity":
        return _activity(rule, record, action)
    if kind in ("tag_add", "tag_remove"):
        return _tag(rule, record, action, add=kind == "tag_add")
    if kind == "notify":
        return _notify(rule, record, action)
    if kind == "campaign":
        return _campaign(rule, record, action)
    if kind == "move":
        return _move(rule, record, action)
    if kind == "email":
        return _email(rule, record, action)
    if kind == "webhook":
        return _webhook(rule, record, action)
    raise LookupError(kind)


# Time-based triggers -------------------------------------------------------------------


def idle_cards(stage_id: int, days: int, since, until):
    """The open cards of a stage whose last change makes them idle between ``since`` and
    ``until`` (a range scan of the idle index)."""
    Opportunity = apps.get_model("opportunities.Opportunity")
    idle = datetime.timedelta(days=days)
    return (
        Opportunity.objects.filter(
            stage_id=stage_id, archived=False, updated_at__gt=since - idle, updated_at__lte=until - idle
        )
        .exclude(status__in=["closed", "lost"])
        .order_by("updated_at", "pk")
    )


def overdue_reminders(since, until):
    """The open reminders that fell due between ``since`` and ``until`` (a range scan of the
    reminders' due index)."""
    Activity = apps.get_model("activities.Activity")
    return Activity.objects.filter(done_at=None, due_at__gt=since, due_at__lte=until).order_by("due_at", "pk")


def check_time(now: datetime.datetime | None = None) -> int:
    """The time-based triggers. Hand the worker, per rule, the window of time since it last
    looked (never before the rule existed): for idle cards one window per stage with stagnant
    days, for overdue reminders one window, each only when an indexed EXISTS finds something
    in it; the records themselves are read by the task. Once per idle stretch or due time: the
    run's key holds the card's last change or the reminder's due time. Returns how many
    windows were handed."""
    from automations import tasks

    now = now or timezone.now()
    rules = list(Rule.objects.filter(active=True, trigger__in=[T.CARD_STAGNANT, T.REMINDER_OVERDUE]))
    if not rules:
        return 0
    stages = None
    handed = 0
    for rule in rules:
        since = rule.checked_until or rule.created_at
        if rule.trigger == T.REMINDER_OVERDUE:
            late = datetime.timedelta(hours=rule.hours or 0)
            if overdue_reminders(since - late, now - late).exists():
                tasks.run_overdue.enqueue(rule.pk, since.isoformat(), now.isoformat())
                handed += 1
            continue
        if stages is None:
            Stage = apps.get_model("opportunities.Stage")
            stages = list(Stage.objects.filter(stagnant_days__gt=0).values_list("pk", "stagnant_days"))
        for stage_id, days in stages:
            if idle_cards(stage_id, days, since, now).exists():
                tasks.run_idle.enqueue(rule.pk, stage_id, since.isoformat(), now.isoformat())
                handed += 1
    Rule.objects.filter(pk__in=[rule.pk for rule in rules]).update(checked_until=now)
    return handed


def run_overdue(rule_id: int, since: str, until: str) -> int:
    """The rule on the reminders that became overdue by its hours in the window."""
    rule = Rule.objects.filter(pk=rule_id, active=True, trigger=T.REMINDER_OVERDUE).first()
    if rule is None:
        return 0
    late = datetime.timedelta(hours=rule.hours or 0)
    reminders = overdue_reminders(
        datetime.datetime.fromisoformat(since) - late, datetime.datetime.fromisoformat(until) - late
    ).select_related("person", "company", "opportunity", "service_order", "owner")
    matched = 0
    for reminder in reminders.iterator(chunk_size=500):
        done = run_rule(rule, reminder, key=f"overdue:{reminder.pk}:{reminder.due_at.isoformat()}")
        matched += bool(done and done.matched)
    return matched


def run_idle(rule_id: int, stage_id: int, since: str, until: str) -> int:
    """The rule on the cards of a stage that went idle in the window (the periodic check's)."""
    Stage = apps.get_model("opportunities.Stage")
    rule = Rule.objects.filter(pk=rule_id, active=True).first()
    stage = Stage.objects.filter(pk=stage_id).first()
    if rule is None or stage is None or not stage.stagnant_days:
        return 0
    cards = idle_cards(
        stage_id,
        stage.stagnant_days,
        datetime.datetime.fromisoformat(since),
        datetime.datetime.fromisoformat(until),
    )
    matched = 0
    for card in cards.iterator(chunk_size=500):
        done = run_rule(rule, card, key=f"stagnant:{card.pk}:{card.updated_at.isoformat()}")
        matched += bool(done and done.matched)
    return matched
