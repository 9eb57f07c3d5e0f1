"""State changes of boards, stages and opportunities. Every movement of a
card is an OpportunityEvent with who and when."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities import mentions, notifications
from activities import services as activity_services
from activities.models import Activity
from crm import access
from crm.models import User
from crm.validation import full_clean
from crm.versioning import check_version
from opportunities.models import BaseCard, Opportunity, OpportunityEvent, Pipeline, SavedFilter, Stage
from people.models import Person
from people.services import person_set_stage

# Lazy: a new board's stages are named in the language of the admin who creates it.
# name, color, stagnant days, probability (%) for the forecast
DEFAULT_STAGES = [
    (gettext_lazy("New contact"), "gray", None, 10),
    (gettext_lazy("Proposal sent"), "blue", 7, 30),
    (gettext_lazy("Negotiation"), "orange", 10, 60),
    (gettext_lazy("Closing"), "green", 5, 90),
]
OPPORTUNITY_FIELDS = (
    "company",
    "contact",
    "type",
    "agent",
    "subject",
    "observations",
    "source",
    "amount",
    "currency",
    "expected_close_on",
)
S = Opportunity.Status
# Follow-up (seed 003): which status may follow which; closed and lost end it.
TRANSITIONS = {
    S.NEW: {S.WAITING, S.WORKING, S.CLOSED, S.LOST},
    S.WAITING: {S.WAITING, S.WORKING, S.CLOSED, S.LOST},
    S.WORKING: {S.WAITING, S.WORKING, S.CLOSED, S.LOST},
    # A won or lost card reopens (back to Working, the reason in the comment).
    S.CLOSED: {S.WORKING},
    S.LOST: {S.WORKING},
}
REMINDER_HOUR = datetime.time(9, 0)


def _event(opportunity: Opportunity, kind: str, by: User, old: str = "", new: str = "", comment: str = ""):
    return OpportunityEvent.record(
        [opportunity.pk], kind=kind, by=by, old_value=old, new_value=new, comment=comment
    )[0]


# Boards and stages -------------------------------------------------------------


@transaction.atomic
def pipeline_create(*, name: str, color: str, members=(), stages=None) -> Pipeline:
    pipeline = Pipeline(name=" ".join(name.split()), color=color)
    full_clean(pipeline)
    pipeline.save()
    pipeline.members.set(members)
    for position, (stage_name, stage_color, days, probability) in enumerate(
        stages if stages is not None else DEFAULT_STAGES
    ):
        Stage.objects.create(
            pipeline=pipeline,
            name=str(stage_name),
            color=stage_color,
            stagnant_days=days,
            probability=probability,
            position=position,
        )
    return pipeline


@transaction.atomic
def pipeline_update(*, pipeline: Pipeline, name: str, color: str, members) -> Pipeline:
    pipeline.name, pipeline.color = " ".join(name.split()), color
    full_clean(pipeline)
    pipeline.save()
    pipeline.members.set(members)
    return pipeline


@transaction.atomic
def stage_add(
    *, pipeline: Pipeline, name: str, color: str, stagnant_days: int | None, probability: int = 0
) -> Stage:
    last = pipeline.stages.aggregate(last=Max("position"))["last"]
    stage = Stage(
        pipeline=pipeline, name=" ".join(name.split()), color=color, stagnant_days=stagnant_days,
        probability=probability or 0, position=0 if last is None else last + 1,
    )  # fmt: skip
    full_clean(stage)
    stage.save()
    return stage


@transaction.atomic
def stage_update(
    *, stage: Stage, name: str, color: str, stagnant_days: int | None, probability: int = 0
) -> Stage:
    stage.name, stage.color, stage.stagnant_days = " ".join(name.split()), color, stagnant_days
    stage.probability = probability or 0
    full_clean(stage)
    stage.save()
    return stage


@transaction.atomic
def stage_move(*, stage: Stage, step: int) -> None:
    """Move a stage one place left (-1) or right (+1) on its board."""
    stages = list(
        Stage.objects.select_for_update().filter(pipeline_id=stage.pipeline_id).order_by("position", "id")
    )
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    target = index + step
    if not 0 <= target < len(stages):
        return
    stages.insert(target, stages.pop(index))
    for position, item in enumerate(stages):
        item.position = position
    Stage.objects.bulk_update(stages, ["position"])


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    if stage.opportunities.exists():
        raise ValidationError(_("Only an empty stage can be deleted: move its cards first."))
    if stage.pipeline.stages.count() == 1:
        raise ValidationError(_("A board needs at least one stage."))
    stage.delete()


# Opportunities -----------------------------------------------------------------


def _check_contact(company, contact: Person | None) -> None:
    if (
        company is not None
        and contact is not None
        and not contact.memberships.filter(company=company).exists()
    ):
        raise ValidationError({"contact": _("The contact must be a person of that company.")})


def _open_card_taken(pipeline: Pipeline, contact: Person | None, exclude_pk=None) -> None:
    if contact is None:
        return
    clash = Opportunity.objects.filter(pipeline=pipeline, contact=contact, archived=False).exclude(
        status__in=[S.CLOSED, S.LOST]
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"contact": _("This person already has an open card on this board.")})


def base_card_defaults(pipeline: Pipeline) -> dict:
    """What a new card of ``pipeline`` starts with (its base card): the
    description, tags and members; empty when the board has no base card."""
    base = BaseCard.objects.filter(pipeline=pipeline).first()
    if base is None:
        return {"observations": "", "tags": [], "members": []}
    return {
        "observations": base.description,
        "tags": list(base.tags.all()),
        "members": list(base.members.all()),
    }


@transaction.atomic
def base_card_save(*, pipeline: Pipeline, by: User, description: str, tags, members) -> BaseCard:
    members = list(members)
    _check_followers(pipeline, members)
    base, _created = BaseCard.objects.get_or_create(pipeline=pipeline)
    base.description, base.updated_by = description.strip(), by
    full_clean(base)
    base.save()
    base.tags.set(tags)
    base.members.set(members)
    return base


def _check_followers(pipeline: Pipeline, members) -> None:
    allowed = set(
        access.card_followers(pipeline).filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True)
    )
    strangers = [str(m) for m in members if m.pk not in allowed]
    if strangers:
        raise ValidationError(
            {
                "members": _("Only members of the board can follow its cards: %(names)s.")
                % {"names": ", ".join(strangers)}
            }
        )


@transaction.atomic
def opportunity_create(
    *,
    by: User,
    pipeline: Pipeline,
    stage: Stage | None = None,
    tags=(),
    members=(),
    base_card: bool = True,
    **fields: Any,
) -> Opportunity:
    """A new card. ``base_card``: add the board's base card (description when
    none is given, its tags and members); the card form has already shown them
    to the user, who may have changed them, and says False."""
    stage = stage or pipeline.stages.order_by("position", "id").first()
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": _("Choose a stage of this board.")})
    tags, members = list(tags), list(members)
    if base_card:
        defaults = base_card_defaults(pipeline)
        fields["observations"] = fields.get("observations") or defaults["observations"]
        tags += [tag for tag in defaults["tags"] if tag not in tags]
        members += [user for user in defaults["members"] if user not in members]
    # The agent works the card; members are the others who follow it.
    members = [user for user in members if user.pk != getattr(fields.get("agent"), "pk", None)]
    _check_followers(pipeline, members)
    _check_contact(fields.get("company"), fields.get("contact"))
    _open_card_taken(pipeline, fields.get("contact"))
    last = Opportunity.objects.filter(stage=stage).aggregate(last=Max("position"))["last"]
    opportunity = Opportunity(
        pipeline=pipeline, stage=stage, created_by=by, position=0 if last is None else last + 1, **fields
    )
    full_clean(opportunity)
    try:
        with transaction.atomic():
            opportunity.save()
    except IntegrityError:
        raise ValidationError({"contact": _("This person already has an open card on this board.")}) from None
    opportunity.tags.set(tags)
    opportunity.members.set(members)
    _event(opportunity, OpportunityEvent.Kind.CREATED, by, new=stage.name)
    notifications.given(to=opportunity.agent_id, by=by, ids=[opportunity.pk], model=Opportunity)
    return opportunity


@transaction.atomic
def opportunity_update(
    *, opportunity: Opportunity, by: User, tags=None, members=None, version: str | None = None, **fields: Any
) -> Opportunity:
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    check_version(locked, version)
    old_agent = locked.agent_id
    changed = []
    for name, value in fields.items():
        if name not in OPPORTUNITY_FIELDS and name != "custom":
            raise ValueError(f"{name} is not editable")
        if getattr(locked, name) != value:
            changed.append(str(Opportunity._meta.get_field(name).verbose_name))
            setattr(locked, name, value)
    _check_contact(locked.company, locked.contact)
    if locked.is_open:
        _open_card_taken(locked.pipeline, locked.contact, exclude_pk=locked.pk)
    full_clean(locked)
    locked.save()
    if tags is not None:
        before = {tag.pk: tag.name for tag in locked.tags.all()}
        after = {tag.pk: tag.name for tag in tags}
        if before.keys() != after.keys():
            changed.append(
                _tag_changes(
                    added=after.keys() - before.keys(),
                    removed=before.keys() - after.keys(),
                    names={**before, **after},
                )
            )
            locked.tags.set(tags)
    if members is not None:
        members = [user for user in members if user.pk != locked.agent_id]
        _check_followers(locked.pipeline, members)
        if {user.pk for user in members} != set(locked.members.values_list("pk", flat=True)):
            changed.append(str(Opportunity._meta.get_field("members").verbose_name))
            locked.members.set(members)
    if changed:
        _event(locked, OpportunityEvent.Kind.EDITED, by, new=", ".join(changed))
    if locked.agent_id != old_agent:
        notifications.given(to=locked.agent_id, by=by, ids=[locked.pk], model=Opportunity)
    return locked


@transaction.atomic
def opportunity_move(
    *,
    opportunity: Opportunity,
    by: User,
    stage: Stage,
    position: int | None = None,
    version: str | None = None,
) -> Opportunity:
    """Put a card in ``stage`` (of its own board) at ``position`` (0 = top;
    None = bottom), renumbering the column in one statement."""
    locked = (
        Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity.pk)
    )
    check_version(locked, version)
    if stage.pipeline_id != locked.pipeline_id:
        raise ValidationError(_("A card moves only between the stages of its own board."))
    column = list(
        Opportunity.objects.select_for_update()
        .filter(stage=stage)
        .exclude(pk=locked.pk)
        .order_by("position", "id")
        .only("pk", "position")
    )
    position = len(column) if position is None else max(0, min(position, len(column)))
    column.insert(position, locked)
    old_stage = locked.stage
    moved = old_stage.pk != stage.pk
    for index, card in enumerate(column):
        card.position = index
    locked.stage = stage
    if moved:
        locked.stage_entered_at = timezone.now()
    Opportunity.objects.bulk_update([c for c in column if c.pk != locked.pk], ["position"])
    locked.save(update_fields=["stage", "position", "stage_entered_at", "updated_at"])
    if moved:
        _event(locked, OpportunityEvent.Kind.STAGE, by, old=old_stage.name, new=stage.name)
        _tell_followers(
            locked,
            by,
            lambda: _("%(name)s moved %(card)s to %(stage)s") % {"name": by, "card": locked, "stage": stage},
            detail=f"{old_stage.name} → {stage.name}",
        )
    return locked


@transaction.atomic
def opportunity_set_status(
    *,
    opportunity: Opportunity,
    by: User,
    status: str,
    comment: str = "",
    next_contact_on: datetime.date | None = None,
    invoice_number: str = "",
    lost_reason: str = "",
    improvement: str = "",
    pending_reminders: str = "keep",
    version: str | None = None,
) -> Opportunity:
    """The follow-up of seed 003: Wait needs comments and the next contact
    date (a reminder is planned for it); Working the follow-up comment;
    Closed the invoice number (the contact becomes a client); Lost why and
    what we can improve. Closing or losing keeps the card's pending reminders or, with
    ``pending_reminders="close"``, marks them done. A closed or lost card reopens to
    Working, the reason in the comment, while its prospect has no other open card."""
    locked = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("contact", "company")
        .get(pk=opportunity.pk)
    )
    check_version(locked, version)
    if status not in S.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status not in TRANSITIONS[locked.status]:
        raise ValidationError(
            _("An opportunity that is %(current)s cannot become %(new)s.")
            % {"current": locked.get_status_display().lower(), "new": S(status).label.lower()}
        )
    comment, invoice_number = comment.strip(), invoice_number.strip()
    lost_reason, improvement = lost_reason.strip(), improvement.strip()
    errors = {}
    if status in (S.WAITING, S.WORKING) and not comment:
        errors["comment"] = _("Write the follow-up comment.")
    if status == S.WAITING:
        if next_contact_on is None:
            errors["next_contact_on"] = _("Choose when to contact them again.")
        elif next_contact_on < timezone.localdate():
            errors["next_contact_on"] = _("The next contact cannot be in the past.")
    if status == S.CLOSED and not invoice_number:
        errors["invoice_number"] = _("Enter the invoice number of the sale.")
    if status == S.LOST:
        if not lost_reason:
            errors["lost_reason"] = _("Say why it was lost.")
        if not improvement:
            errors["improvement"] = _("Say what we can improve.")
    if errors:
        raise ValidationError(errors)
    reopening = not locked.is_open
    if reopening:
        try:
            _open_card_taken(locked.pipeline, locked.contact, exclude_pk=locked.pk)
        except ValidationError as error:  # about the card, not a field of the follow-up
            raise ValidationError(error.message_dict["contact"]) from None
        locked.decided_at = None
    old = locked.get_status_display()
    locked.status = status
    if status == S.WAITING:
        locked.next_contact_on = next_contact_on
    if status == S.CLOSED:
        locked.invoice_number = invoice_number
    if status == S.LOST:
        locked.lost_reason, locked.improvement = lost_reason, improvement
    if status in (S.CLOSED, S.LOST):
        locked.decided_at = timezone.now()
    locked.save()
    detail = comment or invoice_number or lost_reason
    if status == S.LOST:
        detail = f"{lost_reason}\n{_('What can we improve')}: {improvement}"
    _event(locked, OpportunityEvent.Kind.STATUS, by, old=old, new=locked.get_status_display(), comment=detail)
    if status == S.WAITING and (locked.contact or locked.company):
        due = timezone.make_aware(datetime.datetime.combine(next_contact_on, REMINDER_HOUR))
        activity_services.activity_log(
            by=by,
            owner=locked.agent,
            kind=Activity.Kind.CALL,
            subject=_("Contact again: %(subject)s") % {"subject": locked.subject},
            detail=comment,
            person=locked.contact,
            company=locked.company,
            opportunity=locked,
            done=False,
            due_at=due,
        )
    if status == S.CLOSED and locked.contact and locked.contact.stage != Person.Stage.CLIENT:
        person_set_stage(person=locked.contact, by=by, stage=Person.Stage.CLIENT)
    if status in (S.CLOSED, S.LOST) and pending_reminders == "close":
        pending = Activity.objects.filter(opportunity=locked, done_at=None, due_at__isnull=False)
        activity_services.activities_mark_done(ids=pending.values_list("pk", flat=True), by=by)
    return locked


@transaction.atomic
def opportunity_comment(*, opportunity: Opportunity, by: User, comment: str) -> OpportunityEvent:
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    about = {"opportunity": opportunity}
    mentioned = mentions.check(text=comment, by=by, about=about, field="comment")
    Opportunity.objects.filter(pk=opportunity.pk).update(updated_at=timezone.now())
    event = _event(opportunity, OpportunityEvent.Kind.COMMENT, by, comment=comment)
    mentions.notify(users=mentioned, text=comment, by=by, about=about)
    _tell_followers(
        opportunity,
        by,
        lambda: _("%(name)s commented on %(card)s") % {"name": by, "card": opportunity},
        detail=comment,
        leave_out=mentioned,
    )
    return event


def _tell_followers(opportunity: Opportunity, by: User, text, detail: str = "", leave_out=()) -> None:
    """Notify the card's agent and followers (not ``by``, nor those ``leave_out``, told already)."""
    told = {user.pk for user in leave_out}
    followers = set(opportunity.members.values_list("pk", flat=True)) | {opportunity.agent_id}
    notifications.notify(
        followers - told,
        kind=notifications.Kind.CARD,
        actor=by,
        text=text,
        detail=detail,
        url=opportunity.get_absolute_url(),
    )


@transaction.atomic
def opportunity_follow(*, opportunity: Opportunity, by: User, follow: bool) -> None:
    """``by`` starts (or stops) following the card as one of its members."""
    if follow:
        if by.pk == opportunity.agent_id:
            raise ValidationError(_("You are this card's agent: its reminders are yours already."))
        _check_followers(opportunity.pipeline, [by])
        opportunity.members.add(by)
    else:
        opportunity.members.remove(by)
    _event(
        opportunity,
        OpportunityEvent.Kind.EDITED,
        by,
        new=_("%(name)s follows the card") % {"name": by}
        if follow
        else _("%(name)s stopped following the card") % {"name": by},
    )


@transaction.atomic
def opportunity_set_archived(*, opportunity: Opportunity, by: User, archived: bool) -> Opportunity:
    if opportunity.archived == archived:
        return opportunity
    if not archived and opportunity.is_open:
        _open_card_taken(opportunity.pipeline, opportunity.contact, exclude_pk=opportunity.pk)
    opportunity.archived = archived
    opportunity.save(update_fields=["archived", "updated_at"])
    _event(opportunity, OpportunityEvent.Kind.ARCHIVED if archived else OpportunityEvent.Kind.UNARCHIVED, by)
    return opportunity


# Set-based: many cards at once (bulk actions and their undo) --------------------------


def _events(ids, kind: str, by: User, new: str = "") -> None:
    OpportunityEvent.record(ids, kind=kind, by=by, new_value=new)


def _label(field: str) -> str:
    return str(Opportunity._meta.get_field(field).verbose_name)


def _tag_changes(*, names: dict[int, str], added=(), removed=()) -> str:
    """A history line of tag changes: "tags: +VIP, -Feria Lima" (within the event's 200 characters)."""
    changes = sorted(f"+{names[pk]}" for pk in added) + sorted(f"-{names[pk]}" for pk in removed)
    return f"{_label('tags')}: {', '.join(changes)}"[:200]


@transaction.atomic
def opportunities_reassign(*, ids, to: User, by: User) -> dict[int, int]:
    """Give cards to the agent ``to``; returns {pk: previous agent id} of those that moved."""
    previous = dict(
        Opportunity.objects.filter(pk__in=list(ids)).exclude(agent=to).values_list("pk", "agent_id")
    )
    Opportunity.objects.filter(pk__in=previous).update(agent=to, updated_at=timezone.now())
    _events(previous, OpportunityEvent.Kind.EDITED, by, new=_label("agent"))
    notifications.given(
        to=to,
        by=by,
        ids=previous,
        model=Opportunity,
        several=lambda count: (
            ngettext(
                "%(name)s gave you %(count)s opportunity", "%(name)s gave you %(count)s opportunities", count
            )
            % {"name": by, "count": count}
        ),
        list_url=reverse("opportunities:list"),
    )
    return previous


@transaction.atomic
def opportunities_tag(*, ids, tag, by: User) -> list[int]:
    through = Opportunity.tags.through
    ids = list(ids)
    present = set(
        through.objects.filter(tag=tag, opportunity_id__in=ids).values_list("opportunity_id", flat=True)
    )
    fresh = [pk for pk in ids if pk not in present]
    through.objects.bulk_create([through(tag=tag, opportunity_id=pk) for pk in fresh], batch_size=2000)
    Opportunity.objects.filter(pk__in=fresh).update(updated_at=timezone.now())
    _events(
        fresh, OpportunityEvent.Kind.EDITED, by, new=_tag_changes(added=[tag.pk], names={tag.pk: tag.name})
    )
    return fresh


@transaction.atomic
def opportunities_untag(*, ids, tag, by: User) -> list[int]:
    links = Opportunity.tags.through.objects.filter(tag=tag, opportunity_id__in=list(ids))
    removed = sorted(links.values_list("opportunity_id", flat=True))
    links.delete()
    Opportunity.objects.filter(pk__in=removed).update(updated_at=timezone.now())
    _events(
        removed,
        OpportunityEvent.Kind.EDITED,
        by,
        new=_tag_changes(removed=[tag.pk], names={tag.pk: tag.name}),
    )
    return removed


@transaction.atomic
def opportunities_set_archived(*, ids, archived: bool, by: User) -> list[int]:
    """Archive cards, or bring them back (each open one only while its prospect has no
    other open card on its board: else nothing changes and the message says which);
    returns the cards that changed."""
    cards = list(
        Opportunity.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids), archived=not archived)
        .select_related("contact", "pipeline")
        .order_by("pk")
    )
    if not archived:
        for card in cards:
            if card.is_open:
                try:
                    _open_card_taken(card.pipeline, card.contact, exclude_pk=card.pk)
                except ValidationError:
                    raise ValidationError(
                        _("%(person)s already has an open card on %(board)s: “%(card)s” stays archived.")
                        % {"person": card.contact, "board": card.pipeline, "card": card.subject}
                    ) from None
    changed = [card.pk for card in cards]
    Opportunity.objects.filter(pk__in=changed).update(archived=archived, updated_at=timezone.now())
    kind = OpportunityEvent.Kind.ARCHIVED if archived else OpportunityEvent.Kind.UNARCHIVED
    _events(changed, kind, by)
    return changed


# Saved filters ------------------------------------------------------------------


@transaction.atomic
def filter_save(*, user: User, pipeline: Pipeline, name: str, query: str) -> SavedFilter:
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError({"name": _("Name the filter.")})
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, pipeline=pipeline, name=name, defaults={"query": query[:2000]}
    )
    return saved


@transaction.atomic
def opportunity_to_service_order(*, opportunity: Opportunity, by: User):
    """A won opportunity becomes the client's service (seed 002, "Convertido para Serviço do
    Cliente"): a service order for its company, assigned to its agent, linked both ways."""
    # The service-order app makes the order (its AppConfig.make_order): the two apps are
    # independent layers, so this one finds it through Django's app registry, not an import.
    make_order = apps.get_app_config("serviceorders").make_order
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.status != Opportunity.Status.CLOSED:
        raise ValidationError(_("Only a won (closed) opportunity becomes a client service."))
    if locked.company_id is None:
        raise ValidationError(_("Link the opportunity to its client company first."))
    existing = locked.service_orders.order_by("number").first()
    if existing is not None:
        raise ValidationError(
            _("This opportunity already has service order %(order)s.") % {"order": existing}
        )
    contact = locked.contact
    if contact is not None and not contact.memberships.filter(company_id=locked.company_id).exists():
        contact = None  # an order's contact must be a person of its company
    detail = _("Service for the won opportunity: %(subject)s") % {"subject": locked.subject}
    if locked.observations:
        detail = f"{detail}\n\n{locked.observations}"
    order = make_order(
        by=by,
        company=locked.company,
        contact=contact,
        assignee=locked.agent,
        detail=detail,
        opportunity=locked,
    )
    Opportunity.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    _event(locked, OpportunityEvent.Kind.SERVICE, by, new=str(order))
    return order


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity, by: User, discard_contact: bool, reason: str = ""):
    """An administrator deletes a card (seed 002, "Apagar Prospecto Vinculado"): its
    prospect is kept or discarded as chosen (never deleted), its activities and files stay
    with the prospect (or the company), and the choice is noted on the prospect's timeline.
    A card with quotes is kept: their numbers are part of the commercial record."""
    from crm.models import Attachment
    from people.services import person_discard

    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.quotes.exists():
        raise ValidationError(_("This opportunity has quotes: archive it instead of deleting it."))
    contact, company = locked.contact, locked.company
    Activity.objects.filter(opportunity=locked).update(opportunity=None)
    if contact is not None or company is not None:
        keeper = {"person": contact} if contact is not None else {"company": company}
        Attachment.objects.filter(opportunity=locked).update(opportunity=None, **keeper)
    subject, board = locked.subject, locked.pipeline.name
    locked.delete()
    if contact is None:
        return None
    if discard_contact and contact.discarded_at is None:
        person_discard(
            person=contact,
            by=by,
            reason=reason or _("Its card “%(subject)s” was deleted.") % {"subject": subject},
        )
    note = (
        _("Card “%(subject)s” (board %(board)s) deleted; the prospect was discarded.")
        if discard_contact
        else _("Card “%(subject)s” (board %(board)s) deleted; the prospect was kept.")
    ) % {"subject": subject, "board": board}
    activity_services.note_add(record=contact, field="person", by=by, subject=note)
    return contact
