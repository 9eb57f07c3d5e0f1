"""Bulk actions on the lists: the rows a user ticked, or every row matching the
list's filters, changed in one transaction (reassign, tags, campaign, stage,
discard, archive), with a count and an undo for a short while.

Rows come only from the user's scope (crm.access) and the list's own filters, so
another agent's rows are never touched. What each change replaced is kept on the
:class:`crm.models.BulkOperation`, which undoes it: only rows still as the
operation left them go back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import access
from crm.models import BulkOperation

if TYPE_CHECKING:
    from crm.models import User

# At most this many rows in one operation (and in one undo).
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Action:
    slug: str
    label: Any
    needs: str = ""  # "user", "tag", "campaign", "stage" or nothing


@dataclass(frozen=True)
class ListKind:
    slug: str
    label: Any  # the rows, plural
    model_path: str
    scope: Any  # user -> queryset
    filterset_path: str  # the list's own FilterSet class
    owner_field: str
    actions: tuple[Action, ...]
    list_url: str

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)

    def filterset(self, data, queryset, user):
        """The list's own filters, as its page builds them."""
        return import_string(self.filterset_path)(data, queryset=queryset, user=user)


REASSIGN = Action("reassign", gettext_lazy("Give to"), "user")
ADD_TAG = Action("add_tag", gettext_lazy("Add tag"), "tag")
REMOVE_TAG = Action("remove_tag", gettext_lazy("Remove tag"), "tag")
ADD_TO_CAMPAIGN = Action("add_to_campaign", gettext_lazy("Add to campaign"), "campaign")
SET_STAGE = Action("set_stage", gettext_lazy("Change stage"), "stage")
DISCARD = Action("discard", gettext_lazy("Discard"))
ARCHIVE = Action("archive", gettext_lazy("Archive"))


KINDS = {
    kind.slug: kind
    for kind in (
        ListKind(
            "people",
            gettext_lazy("people"),
            "people.Person",
            access.people,
            "people.filters.PersonFilter",
            "owner",
            (REASSIGN, ADD_TAG, REMOVE_TAG, ADD_TO_CAMPAIGN, SET_STAGE, DISCARD),
            "people:list",
        ),
        ListKind(
            "companies",
            gettext_lazy("companies"),
            "companies.Company",
            access.companies,
            "companies.filters.CompanyFilter",
            "owner",
            (REASSIGN,),
            "companies:list",
        ),
        ListKind(
            "opportunities",
            gettext_lazy("opportunities"),
            "opportunities.Opportunity",
            access.opportunities,
            "opportunities.filters.OpportunityFilter",
            "agent",
            (REASSIGN, ADD_TAG, REMOVE_TAG, ARCHIVE),
            "opportunities:list",
        ),
        ListKind(
            "activities",
            gettext_lazy("activities"),
            "crm.Activity",
            access.activities,
            "crm.filters.ActivityFilter",
            "owner",
            (REASSIGN,),
            "crm:activities",
        ),
        ListKind(
            "reminders",
            gettext_lazy("reminders"),
            "crm.Activity",
            access.reminders,
            "crm.filters.ReminderFilter",
            "owner",
            (REASSIGN,),
            "crm:reminders",
        ),
        ListKind(
            "orders",
            gettext_lazy("service orders"),
            "serviceorders.ServiceOrder",
            access.service_orders,
            "serviceorders.filters.OrderFilter",
            "assignee",
            (REASSIGN,),
            "serviceorders:list",
        ),
    )
}


def rows(kind: ListKind, user: User, *, ids=(), query: str | None = None) -> QuerySet:
    """The rows an operation changes: the ticked ``ids``, or (``query`` given)
    every row the list shows with those filters; always within the user's scope."""
    # A row seen through a relation (a followed card, a colleague's company) is not changed.
    scoped = access.changeable(user, kind.scope(user))
    if query is not None:
        return kind.filterset(QueryDict(query), scoped, user).qs.order_by()
    return scoped.filter(pk__in=[int(pk) for pk in ids if str(pk).isdigit()]).order_by()


def _versioned(model, **values) -> dict:
    """``values`` with a new version (``updated_at``) where the model has one: an edit
    form opened before a bulk change (or its undo) must not save over it."""
    if any(f.name == "updated_at" for f in model._meta.fields):
        values.setdefault("updated_at", timezone.now())
    return values


def undo_deadline() -> timedelta:
    return timedelta(minutes=settings.BULK_UNDO_MINUTES)


@transaction.atomic
def apply(*, kind: ListKind, action: Action, user: User, queryset: QuerySet, value=None) -> BulkOperation:
    """Apply ``action`` to ``queryset`` and keep what it replaced for the undo."""
    if action not in kind.actions:
        raise ValidationError(_("This action does not apply to this list."))
    pks = list(queryset.values_list("pk", flat=True)[: MAX_ROWS + 1])
    if not pks:
        raise ValidationError(_("Select at least one row."))
    if len(pks) > MAX_ROWS:
        raise ValidationError(
            _("At most %(max)s rows at once: narrow the filters.") % {"max": f"{MAX_ROWS:,}"}
        )
    model = kind.model
    target = model.objects.filter(pk__in=pks)
    undo: dict[str, Any]
    text_value = str(value) if value is not None else ""
    if action is REASSIGN:
        field = f"{kind.owner_field}_id"
        undo = {"field": field, "old": dict(target.values_list("pk", field)), "new": value.pk}
        moved = [pk for pk, old in undo["old"].items() if old != value.pk]
        changed = model.objects.filter(pk__in=moved).update(**_versioned(model, **{field: value.pk}))
        _announce(kind, "updated", moved)
    elif action in (ADD_TAG, REMOVE_TAG):
        through = model.tags.through
        owner_column = f"{model._meta.model_name}_id"
        tagged = set(
            through.objects.filter(tag=value, **{f"{owner_column}__in": pks}).values_list(
                owner_column, flat=True
            )
        )
        if action is ADD_TAG:
            fresh = [pk for pk in pks if pk not in tagged]
            through.objects.bulk_create(
                [through(tag=value, **{owner_column: pk}) for pk in fresh], batch_size=2000
            )
            undo, changed = {"tag": value.pk, "pks": fresh}, len(fresh)
            _announce(kind, "tagged", fresh)
        else:
            through.objects.filter(tag=value, **{f"{owner_column}__in": tagged}).delete()
            undo, changed = {"tag": value.pk, "pks": sorted(tagged)}, len(tagged)
            _announce(kind, "untagged", undo["pks"])
    elif action is ADD_TO_CAMPAIGN:
        from campaigns.models import CampaignMember
        from campaigns.services import members_add

        before = set(CampaignMember.objects.filter(campaign=value).values_list("pk", flat=True))
        changed = members_add(campaign=value, people=target, by=user)
        created = CampaignMember.objects.filter(campaign=value).exclude(pk__in=before)
        undo = {"campaign": value.pk, "members": list(created.values_list("pk", flat=True))}
    elif action is SET_STAGE:
        from people.models import PersonEvent

        old = dict(target.exclude(stage=value).values_list("pk", "stage"))
        changed = target.filter(pk__in=old).update(stage=value, updated_at=timezone.now())
        PersonEvent.objects.bulk_create(
            [
                PersonEvent(
                    person_id=pk, kind=PersonEvent.Kind.STAGE, by=user, old_value=stage, new_value=value
                )
                for pk, stage in old.items()
            ],
            batch_size=2000,
        )
        undo = {"old": old, "new": value}
        _announce(kind, "stage", list(old))
    elif action is DISCARD:
        from people.models import PersonEvent

        fresh = list(target.filter(discarded_at=None).values_list("pk", flat=True))
        changed = model.objects.filter(pk__in=fresh).update(
            **_versioned(
                model, discarded_at=timezone.now(), discarded_by=user, discard_reason=_("Discarded in bulk")
            )
        )
        PersonEvent.objects.bulk_create(
            [
                PersonEvent(
                    person_id=pk, kind=PersonEvent.Kind.DISCARDED, by=user, new_value=_("Discarded in bulk")
                )
                for pk in fresh
            ],
            batch_size=2000,
        )
        undo = {"pks": fresh}
        _announce(kind, "discarded", fresh)
    elif action is ARCHIVE:
        fresh = list(target.filter(archived=False).values_list("pk", flat=True))
        changed = model.objects.filter(pk__in=fresh).update(archived=True, updated_at=timezone.now())
        undo = {"pks": fresh}
    else:  # pragma: no cover - every action above
        raise ValidationError(_("This action does not apply to this list."))
    return BulkOperation.objects.create(
        user=user,
        kind=kind.slug,
        action=action.slug,
        value=text_value[:200],
        selected=len(pks),
        changed=changed,
        undo=undo,
    )


def _announce(kind: ListKind, what: str, pks) -> None:
    """Tell other modules (the webhooks) which people changed, and how
    (a PersonEvent kind); other lists' rows have no such announcements."""
    from people.models import Person
    from people.signals import changed_in_bulk

    if kind.model is Person and pks:
        changed_in_bulk.send(sender=Person, kind=what, ids=list(pks))


def last_undoable(user: User, kind: ListKind) -> BulkOperation | None:
    since = timezone.now() - undo_deadline()
    return (
        access.bulk_operations(user)
        .filter(kind=kind.slug, undone_at=None, created_at__gte=since)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def undo(*, operation: BulkOperation, user: User) -> int:
    """Put back what ``operation`` changed, where it is still as the operation
    left it. Returns how many rows went back."""
    operation = BulkOperation.objects.select_for_update().get(pk=operation.pk)
    if operation.undone_at is not None:
        raise ValidationError(_("This change was already undone."))
    if operation.created_at < timezone.now() - undo_deadline():
        raise ValidationError(_("This change can no longer be undone."))
    kind = KINDS[operation.kind]
    model, data, action = kind.model, operation.undo, operation.action
    back = 0
    if action == REASSIGN.slug:
        field = data["field"]
        by_owner: dict[int, list[int]] = {}
        for pk, old in data["old"].items():
            if old != data["new"]:
                by_owner.setdefault(old, []).append(int(pk))
        for old, pks in by_owner.items():
            still = list(
                model.objects.filter(pk__in=pks, **{field: data["new"]}).values_list("pk", flat=True)
            )
            back += model.objects.filter(pk__in=still).update(**_versioned(model, **{field: old}))
            _announce(kind, "updated", still)
    elif action in (ADD_TAG.slug, REMOVE_TAG.slug):
        through = model.tags.through
        owner_column = f"{model._meta.model_name}_id"
        if action == ADD_TAG.slug:
            links = through.objects.filter(tag_id=data["tag"], **{f"{owner_column}__in": data["pks"]})
            untagged = list(links.values_list(owner_column, flat=True))
            back, _deleted = links.delete()
            _announce(kind, "untagged", untagged)
        else:
            present = set(
                through.objects.filter(
                    tag_id=data["tag"], **{f"{owner_column}__in": data["pks"]}
                ).values_list(owner_column, flat=True)
            )
            missing = [pk for pk in data["pks"] if pk not in present]
            through.objects.bulk_create([through(tag_id=data["tag"], **{owner_column: pk}) for pk in missing])
            back = len(missing)
            _announce(kind, "tagged", missing)
    elif action == ADD_TO_CAMPAIGN.slug:
        from campaigns.models import CampaignMember

        # Members worked since (an activity in the campaign) stay.
        from crm.models import Activity

        worked = Activity.objects.filter(campaign_id=data["campaign"]).values("person_id")
        back, _deleted = (
            CampaignMember.objects.filter(pk__in=data["members"]).exclude(person_id__in=worked).delete()
        )
    elif action == SET_STAGE.slug:
        by_stage: dict[str, list[int]] = {}
        for pk, old in data["old"].items():
            by_stage.setdefault(old, []).append(int(pk))
        for old, pks in by_stage.items():
            still = list(model.objects.filter(pk__in=pks, stage=data["new"]).values_list("pk", flat=True))
            back += model.objects.filter(pk__in=still).update(**_versioned(model, stage=old))
            _announce(kind, "stage", still)
    elif action == DISCARD.slug:
        restored = list(
            model.objects.filter(pk__in=data["pks"], discarded_by=user)
            .exclude(discarded_at=None)
            .values_list("pk", flat=True)
        )
        back = model.objects.filter(pk__in=restored).update(
            **_versioned(model, discarded_at=None, discarded_by=None, discard_reason="")
        )
        _announce(kind, "restored", restored)
    elif action == ARCHIVE.slug:
        back = model.objects.filter(pk__in=data["pks"], archived=True).update(
            **_versioned(model, archived=False)
        )
    operation.undone_at = timezone.now()
    operation.save(update_fields=["undone_at"])
    return back
