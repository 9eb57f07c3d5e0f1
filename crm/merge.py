"""Merging duplicates: two people, or two companies, become one.

The user picks the survivor and, field by field, which value wins. Everything
that points at the other record (activities, memberships, campaign memberships,
opportunities, orders, projects, attachments, tags) moves to the survivor in one
transaction; the other record is discarded (restorable by an administrator),
and the merge is a note on both timelines.

The same machinery serves both kinds; a :class:`Kind` says what differs. Related
rows are found through the model's relations, so a relation added later moves
too unless it is listed in ``keep`` (the record's own history and events stay
with it).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import access, notes
from crm.validation import full_clean

if TYPE_CHECKING:
    from crm.models import User


@dataclass(frozen=True)
class Kind:
    """What differs between merging people and merging companies."""

    slug: str
    label: Any
    model_path: str
    fields: tuple[str, ...]
    scope: Any  # user -> the records they may merge
    activity_field: str  # the Activity (and Attachment) field naming the record
    keep: tuple[str, ...] = ()  # related models (app_label.Model) that stay with the discarded record
    # Duplicate keys: label -> expression the records are grouped by, or a tuple of
    # columns any of which may hold the value (blank values never match).
    keys: dict[str, Any] = field(default_factory=dict)
    list_url: str = ""
    autocomplete: str = ""  # the URL name that finds records of this kind as one types
    # What else must hold before a merge (raise ValidationError with what to do first):
    # apps above the record's own add theirs (opportunities: no two open cards on one board).
    checks: list[Callable[[Any, Any], None]] = field(default_factory=list)
    # Called in the merge's transaction: (survivor=, duplicate=, changed=[labels], by=).
    after: Callable[..., None] | None = None

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_path)


# slug -> Kind: each app registers its own from its merge.py (autodiscovered at start-up).
KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.slug] = kind
    return kind


PAGE = 25
MAX_GROUPS = 2000


# Merging ------------------------------------------------------------------------------


def check(kind: Kind, survivor, duplicate) -> None:
    """Refuse what a merge cannot do; the message says what to do first."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Choose two different records."))
    for more in kind.checks:
        more(survivor, duplicate)


@transaction.atomic
def merge(*, kind: Kind, survivor, duplicate, values: dict[str, Any], by: User) -> dict[str, int]:
    """Merge ``duplicate`` into ``survivor``, which takes ``values`` (field ->
    the winning value). Returns how many related rows moved, by relation."""
    model = kind.model
    survivor, duplicate = (model.objects.select_for_update().get(pk=r.pk) for r in (survivor, duplicate))
    check(kind, survivor, duplicate)
    if duplicate.discarded_at is not None:
        raise ValidationError(_("%(name)s is already discarded.") % {"name": duplicate})
    moved = _move_related(model, survivor, duplicate, kind.keep)

    changed = []
    for name in kind.fields:
        if name in values and getattr(survivor, name) != values[name]:
            changed.append(str(model._meta.get_field(name).verbose_name))
            setattr(survivor, name, values[name])
    # The duplicate steps aside first: a tax id the survivor takes from it stays unique.
    duplicate.discarded_at, duplicate.discarded_by = timezone.now(), by
    reason = _("Merged into %(name)s (#%(pk)s).") % {"name": survivor, "pk": survivor.pk}
    duplicate.discard_reason = reason[:300]
    duplicate.save(update_fields=["discarded_at", "discarded_by", "discard_reason", "updated_at"])
    full_clean(survivor, exclude=["search"])
    survivor.save()
    if kind.after is not None:
        kind.after(survivor=survivor, duplicate=duplicate, changed=changed, by=by)

    summary = ", ".join(f"{label}: {count}" for label, count in moved.items() if count)
    for record, subject in (
        (survivor, _("Merged with %(name)s (#%(pk)s)") % {"name": duplicate, "pk": duplicate.pk}),
        (duplicate, _("Merged into %(name)s (#%(pk)s)") % {"name": survivor, "pk": survivor.pk}),
    ):
        notes.write(record=record, field=kind.activity_field, by=by, subject=subject, detail=summary)
    return moved


def _move_related(model, survivor, duplicate, keep: tuple[str, ...]) -> dict[str, int]:
    moved: dict[str, int] = {}
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related._meta.label in keep or not (relation.one_to_many or relation.one_to_one):
            continue
        name = relation.field.name
        rows = related._default_manager.filter(**{name: duplicate})
        # Where the survivor already has the row a unique constraint allows once
        # (a membership of the same company, the same campaign), the survivor's stays.
        for constraint in related._meta.constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and name in constraint.fields
                and not constraint.condition
            ):
                others = [f for f in constraint.fields if f != name]
                taken = related._default_manager.filter(**{name: survivor}).values_list(*others)
                clash = Q()
                for values in taken:
                    clash |= Q(**dict(zip(others, values, strict=True)))
                if clash:
                    rows.filter(clash).delete()
        moved[str(related._meta.verbose_name_plural)] = rows.update(**{name: survivor})
    for m2m in model._meta.many_to_many:
        extra = list(getattr(duplicate, m2m.name).all())
        getattr(survivor, m2m.name).add(*extra)
        moved[str(m2m.verbose_name)] = len(extra)
    return moved


# Possible duplicates -------------------------------------------------------------------


@dataclass
class Pair:
    key: str
    value: str
    records: list


def possible_duplicates(
    kind: Kind, user: User, by: str, *, after: str = "", limit: int = 25, refresh: bool = False
) -> tuple[list[Pair], Any]:
    """Groups of records the user may see sharing the value of key ``by`` (an
    email, a phone, a tax id, a name), in the order of that value, ``limit``
    groups after ``after``; and when the values shared were found.

    Finding them reads the whole key index (about a second on a million people),
    so the shared values (at most MAX_GROUPS) are kept in the shared cache for
    DUPLICATES_CACHE_SECONDS, per kind, key and scope; ``refresh`` looks again.
    The records of a page are read fresh: a group merged meanwhile drops out."""
    expression = kind.keys[by]
    columns = expression if isinstance(expression, tuple) else ("key",)
    scope = kind.scope(user)
    if not isinstance(expression, tuple):
        scope = scope.annotate(key=models.F(expression) if isinstance(expression, str) else expression)
    seconds = settings.DUPLICATES_CACHE_SECONDS
    cache_key = f"duplicates:{kind.slug}:{by}:{'all' if access.sees_everything(user) else user.pk}"
    found = cache.get(cache_key) if seconds > 0 and not refresh else None
    if found is None:
        found = {"keys": _shared_values(scope, columns), "computed_at": timezone.now()}
        if seconds > 0:
            cache.set(cache_key, found, seconds)
    keys = found["keys"]
    groups = keys[bisect.bisect_right(keys, after) :][:limit] if after else keys[:limit]
    members: dict[str, list] = {key: [] for key in groups}
    holding = Q()
    for column in columns:
        holding |= Q(**{f"{column}__in": groups})
    for record in scope.filter(holding).select_related("owner").order_by("pk")[: limit * 10]:
        for value in dict.fromkeys(getattr(record, column) for column in columns):
            if value in members:
                members[value].append(record)
    pairs = [Pair(by, key, records) for key, records in members.items() if len(records) > 1]
    return pairs, found["computed_at"]


def _shared_values(scope, columns: tuple[str, ...]) -> list[str]:
    """The values (at most MAX_GROUPS, in order) that two or more records of ``scope``
    hold in any of ``columns``: one grouped query over the columns' values."""
    parts = [
        scope.exclude(**{column: ""}).exclude(**{column: None}).values_list("pk", column).order_by()
        for column in columns
    ]
    values = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # ``sql`` is Django's own, built from the scope; the values travel as parameters.
            f"SELECT value FROM ({sql}) AS held (id, value) GROUP BY value "
            "HAVING COUNT(DISTINCT id) > 1 ORDER BY value LIMIT %s",
            [*params, MAX_GROUPS],
        )
        return [value for (value,) in cursor.fetchall()]
