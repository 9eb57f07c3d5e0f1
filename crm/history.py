"""Every change of the main records, kept by PostgreSQL triggers (django-pghistory).

`tracked` decorates a model: inserts, updates (when a tracked field changes) and deletes are
copied into its `<Model>History` table by triggers, so bulk updates, COPY imports and SQL
outside Django are recorded too. The acting user and the URL or task come from
`pghistory.context` (HistoryMiddleware for requests; the tasks set their own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pghistory
import pgtrigger
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def tracked(*exclude: str, db_table: str | None = None):
    """Track a model's changes, except the named fields (derived or secret ones).
    ``db_table`` names the history table of a model that moved between apps.

    The triggers run once per statement, over its transition tables: an import's COPY of
    5,000 people or a bulk change of 5,000 cards writes its history in one INSERT … SELECT, not
    5,000 (row by row, 30 to 60 µs a row at a million people)."""

    def decorate(model):
        return pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            exclude=list(exclude) or None,
            obj_field=pghistory.ObjForeignKey(related_name="history", related_query_name="history"),
            model_name=f"{model.__name__}History",
            meta={"db_table": db_table} if db_table else None,
            level=pgtrigger.Statement,
        )(model)

    return decorate


# What a History page shows, field by field -------------------------------------------------

LABELS = {"insert": _("Created"), "update": _("Changed"), "delete": _("Deleted")}


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class Version:
    event: models.Model
    label: str
    user: object = None
    changes: list[Change] = field(default_factory=list)

    @property
    def pk(self):
        return self.event.pgh_id

    @property
    def at(self):
        return self.event.pgh_created_at


def tracked_fields(model) -> list[models.Field]:
    """The model's fields its history copies (concrete, not the primary key)."""
    history_model = model.history.rel.related_model
    names = {f.name for f in history_model._meta.fields}
    return [f for f in model._meta.concrete_fields if f.name in names and not f.primary_key]


def versions(obj, events: list, count: int) -> list[Version]:
    """The first `count` events (newest first) with what each changed from the one before it;
    `events` holds one older event, when there is one, to compare the oldest with. A query
    for the users and one per foreign-key model, whatever the size."""
    model = type(obj)
    fields = tracked_fields(model)
    related = _related_names(fields, events)
    users = _users({_context_user(event) for event in events} - {None})
    result = []
    for index, event in enumerate(events[:count]):
        previous = events[index + 1] if index + 1 < len(events) else None
        if event.pgh_label == "insert":
            previous = None
        version = Version(event=event, label=LABELS.get(event.pgh_label, event.pgh_label))
        version.user = users.get(_context_user(event))
        for f in fields:
            new = getattr(event, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if event.pgh_label == "delete" or (previous is not None and old == new):
                continue
            if previous is None and new in (None, "", False, [], {}):
                continue
            version.changes.append(
                Change(f.verbose_name, _display(f, old, related), _display(f, new, related))
            )
        result.append(version)
    return result


def creation(record) -> tuple[object, object] | None:
    """When ``record`` was created and by whom (None when unknown), from its history (two
    queries); None when its history holds no creation."""
    event = record.history.filter(pgh_label="insert").select_related("pgh_context").order_by("pgh_id").first()
    if event is None:
        return None
    user_id = _context_user(event)
    return event.pgh_created_at, _users([user_id]).get(user_id) if user_id else None


def _context_user(event):
    context = getattr(event, "pgh_context", None)
    value = (context.metadata or {}).get("user") if context is not None else None
    return value if isinstance(value, int) else None


def _users(ids):
    from crm.models import User

    return {user.pk: user for user in User.objects.filter(pk__in=ids)} if ids else {}


def _related_names(fields, events) -> dict:
    """{(model, pk): str} for the foreign keys the events point at: one query per FK model."""
    wanted: dict[type, set] = {}
    for f in fields:
        if f.is_relation and f.many_to_one:
            ids = {getattr(e, f.attname) for e in events} - {None}
            if ids:
                wanted.setdefault(f.related_model, set()).update(ids)
    names = {}
    for model, ids in wanted.items():
        for related in model._default_manager.filter(pk__in=ids):
            names[(model, related.pk)] = str(related)
    return names


def _display(f, value, related):
    if value is None or value == "":
        return "—"
    if f.is_relation and f.many_to_one:
        return related.get((f.related_model, value), f"#{value}")
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


class RevertError(Exception):
    pass


def revert(obj, event_pk: int):
    """Put a record's tracked fields back as they were after one of its history events."""
    event = obj.history.filter(pgh_id=event_pk).exclude(pgh_label="delete").first()
    if event is None:
        raise RevertError(_("That version does not exist."))
    values = {f.attname: getattr(event, f.attname) for f in tracked_fields(type(obj)) if f.editable}
    if any(f.name == "updated_at" for f in type(obj)._meta.fields):
        # A revert is a new version: a form opened before it must not save over it.
        values["updated_at"] = timezone.now()
    try:
        with transaction.atomic():
            type(obj)._default_manager.filter(pk=obj.pk).update(**values)
    except IntegrityError as error:
        raise RevertError(
            _("That version conflicts with another record now: %(error)s") % {"error": error}
        ) from None
    return event


# Fast trigger helpers ---------------------------------------------------------------------
#
# django-pgtrigger and django-pghistory read their session settings inside a
# BEGIN ... EXCEPTION block, which opens a subtransaction for every row a trigger sees: an
# import of 100,000 people ran five times slower. current_setting(name, true) answers NULL
# when a setting is missing, with no exception and no subtransaction. These versions are
# installed after every `migrate` (each trigger migration reinstalls the library's own).

FAST_FUNCTIONS = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[] := NULLIF(CURRENT_SETTING('pgtrigger.ignore', true), '')::TEXT[];
    BEGIN
        RETURN COALESCE(trigger_name = ANY(_pgtrigger_ignore), FALSE);
    END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION _pgh_attach_context()
RETURNS pghistory_context.id%TYPE AS $$
    DECLARE
        _pgh_context_id UUID := NULLIF(CURRENT_SETTING('pghistory.context_id', true), '')::UUID;
        _pgh_context_metadata JSONB := NULLIF(CURRENT_SETTING('pghistory.context_metadata', true), '')::JSONB;
    BEGIN
        IF _pgh_context_id IS NULL OR _pgh_context_metadata IS NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO UPDATE
                SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
                WHERE pghistory_context.metadata != EXCLUDED.metadata;
        RETURN _pgh_context_id;
    END;
$$ LANGUAGE plpgsql;
"""


def install_fast_functions(using="default", **kwargs) -> None:
    """post_migrate receiver (see CrmConfig.ready)."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('pghistory_context') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(FAST_FUNCTIONS)
