"""Bulk actions on the lists: the rows a user ticked, or every row matching the
list's filters, changed in one transaction (reassign, tags, campaign, stage,
discard, archive), with a count and an undo for a short while.

This engine keeps the selection, the limits and the undo bookkeeping; the lists
and their actions are each app's own (its ``bulk.py``, autodiscovered at
start-up), and every change goes through the app's set-based services, which
write one UPDATE and one timeline event per row, as a single change would.

Rows come only from the rows the user may change (crm.access) and the list's own
filters, so another agent's rows are never touched. What each change replaced is
kept on the :class:`crm.models.BulkOperation`, which undoes it: only rows still
as the operation left them go back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    """What a list can do to many rows at once.

    ``run(user=, pks=, value=)`` changes the rows (through the app's services) and
    returns (how many changed, what the undo needs, as JSON); ``revert(user=, data=,
    kind=)`` puts back the rows still as ``run`` left them and returns how many."""

    slug: str
    label: Any
    run: Callable[..., tuple[int, dict]]
    revert: Callable[..., int]
    needs: str = ""  # "user", "tag", "campaign", "stage" or nothing


@dataclass(frozen=True)
class ListKind:
    slug: str
    label: Any  # the rows, plural
    model_path: str
    scope: Any  # user -> queryset
    filterset_path: str  # the list's own FilterSet class
    list_url: str
    actions: list[Action] = field(default_factory=list)  # apps above may add theirs
    stage_choices: tuple = ()  # for a "stage" action
    # n -> "1 person" / "2 people", with the language's plural forms (ngettext).
    counted: Callable[[int], str] | None = None

    def count(self, n: int) -> str:
        return self.counted(n) if self.counted else f"{n} {self.label}"

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)

    def filterset(self, data, queryset, user):
        """The list's own filters, as its page builds them."""
        return import_string(self.filterset_path)(data, queryset=queryset, user=user)

    def action(self, slug: str) -> Action | None:
        return next((action for action in self.actions if action.slug == slug), None)

    @property
    def needs(self) -> set[str]:
        """The values its actions ask for ("user", "tag", "campaign", "stage")."""
        return {action.needs for action in self.actions if action.needs}


# slug -> ListKind: each app registers its lists from its bulk.py.
KINDS: dict[str, ListKind] = {}


def register(kind: ListKind) -> ListKind:
    KINDS[kind.slug] = kind
    return kind


def add_action(kind_slug: str, action: Action, *, after: str = "") -> None:
    """An app above the list's own adds an action to it (campaigns: "Add to campaign"),
    after the action ``after`` (else last)."""
    kind = KINDS[kind_slug]
    if kind.action(action.slug) is not None:
        return
    slugs = [existing.slug for existing in kind.actions]
    kind.actions.insert(slugs.index(after) + 1 if after in slugs else len(slugs), action)


def reassign_action(service: Callable[..., dict[int, int]]) -> Action:
    """ "Give to" for a list whose app has ``service(ids=, to=, by=) -> {pk: previous id}``
    (the rows that moved): its undo gives each row still held by the new user back."""

    def run(*, user, pks, value):
        previous = service(ids=pks, to=value, by=user)
        return len(previous), {"old": {str(pk): old for pk, old in previous.items()}, "new": value.pk}

    def revert(*, user, data, kind):
        from crm.models import User

        groups = still_by_previous(kind.model, kind_responsible(kind), data)
        return sum(len(service(ids=pks, to=User.objects.get(pk=old), by=user)) for old, pks in groups.items())

    return Action("reassign", gettext_lazy("Give to"), run, revert, "user")


def still_by_previous(model, field: str, data: dict) -> dict[Any, list[int]]:
    """For an undo: the rows of ``data["old"]`` ({pk: previous value}) whose ``field`` is
    still ``data["new"]`` (as the change left them), grouped by the value to put back."""
    still = set(
        model.objects.filter(pk__in=[int(pk) for pk in data["old"]], **{field: data["new"]}).values_list(
            "pk", flat=True
        )
    )
    groups: dict[Any, list[int]] = {}
    for pk, old in data["old"].items():
        if int(pk) in still and old is not None:
            groups.setdefault(old, []).append(int(pk))
    return groups


def tag_actions(*, tag: Callable[..., list[int]], untag: Callable[..., list[int]]) -> list[Action]:
    """ "Add tag" and "Remove tag" for a list whose app has ``tag(ids=, tag=, by=)`` and
    ``untag(...)`` returning the rows they changed: each undoes the other."""

    def tag_of(user, data):
        return access.tags(user).get(pk=data["tag"])

    def add(*, user, pks, value):
        fresh = tag(ids=pks, tag=value, by=user)
        return len(fresh), {"tag": value.pk, "pks": fresh}

    def add_undo(*, user, data, kind):
        return len(untag(ids=data["pks"], tag=tag_of(user, data), by=user))

    def remove(*, user, pks, value):
        removed = untag(ids=pks, tag=value, by=user)
        return len(removed), {"tag": value.pk, "pks": removed}

    def remove_undo(*, user, data, kind):
        return len(tag(ids=data["pks"], tag=tag_of(user, data), by=user))

    return [
        Action("add_tag", gettext_lazy("Add tag"), add, add_undo, "tag"),
        Action("remove_tag", gettext_lazy("Remove tag"), remove, remove_undo, "tag"),
    ]


def kind_responsible(kind: ListKind) -> str:
    """The field naming who is responsible for a row of ``kind`` (crm.access)."""
    return access.RESPONSIBLE[kind.model._meta.label_lower]


def rows(kind: ListKind, user: User, *, ids=(), query: str | None = None) -> QuerySet:
    """The rows an operation changes: the ticked ``ids``, or (``query`` given)
    every row the list shows with those filters; always within the user's scope."""
    # A row seen through a relation (a followed card, a colleague's company) is not changed.
    scoped = access.changeable(user, kind.scope(user))
    if query is not None:
        return kind.filterset(QueryDict(query), scoped, user).qs.order_by()
    return scoped.filter(pk__in=[int(pk) for pk in ids if str(pk).isdigit()]).order_by()


def undo_deadline() -> timedelta:
    return timedelta(minutes=settings.BULK_UNDO_MINUTES)


@transaction.atomic
def apply(*, kind: ListKind, action: Action, user: User, queryset: QuerySet, value=None) -> BulkOperation:
    """Apply ``action`` to ``queryset`` and keep what it replaced for the undo."""
    if kind.action(action.slug) is not action:
        raise ValidationError(_("This action does not apply to this list."))
    pks = list(queryset.values_list("pk", flat=True)[: MAX_ROWS + 1])
    if not pks:
        raise ValidationError(_("Select at least one row."))
    if len(pks) > MAX_ROWS:
        raise ValidationError(
            _("At most %(max)s rows at once: narrow the filters.") % {"max": f"{MAX_ROWS:,}"}
        )
    changed, undo_data = action.run(user=user, pks=pks, value=value)
    text_value = str(value) if value is not None else ""
    return BulkOperation.objects.create(
        user=user,
        kind=kind.slug,
        action=action.slug,
        value=text_value[:200],
        selected=len(pks),
        changed=changed,
        undo=undo_data,
    )


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
    action = kind.action(operation.action)
    if action is None:
        raise ValidationError(_("This change can no longer be undone."))
    back = action.revert(user=user, data=operation.undo, kind=kind)
    operation.undone_at = timezone.now()
    operation.save(update_fields=["undone_at"])
    return back
