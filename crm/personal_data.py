"""Personal data under Brazil's LGPD, Peru's Ley 29733 and Mexico's LFPDPPP: what the CRM
holds about a person, gathered for an access request, and erased on request or when the
retention period ends.

Each app says what it holds about a person in its ``personal_data.py`` (autodiscovered, as the
admin site finds admin.py): a :class:`Holder` with what to collect (rows for the access
request's JSON and summary, files for its ZIP) and how to erase it (blanking or replacing what
identifies the person, removing emails, notes and files, redacting the history tables' copies)
while counts, amounts and the existence of activities stay for the reports. The core runs them
in order, records the erasure in a log that keeps no personal data, and tells the other modules
(``crm.signals.person_erased``: the webhooks announce it).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Func, Q, QuerySet, Value
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise

from crm.models import Erasure, ExportAudit, PersonalDataRequest, User

# What replaces an erased person's identifiers in texts about them.
PLACEHOLDER = "[…]"


@dataclass(frozen=True)
class Identifiers:
    """What identifies the person in free text: their full name, email and phone numbers."""

    person_id: int
    values: tuple[str, ...]

    @property
    def pattern(self) -> str:
        """A PostgreSQL regular expression matching any of them (case-insensitive with 'gi')."""
        return "|".join(re.escape(value) for value in self.values)


@dataclass(frozen=True)
class Holder:
    """What one app holds about a person."""

    name: str  # the section: "activities"
    title: str | Promise
    collect: Callable[[Any], list[dict]]
    erase: Callable[[Any, Identifiers], dict[str, int]]
    files: Callable[[Any], Iterable[tuple[str, Any]]] = lambda person: ()
    order: int = 100


HOLDERS: list[Holder] = []


def register(holder: Holder) -> Holder:
    HOLDERS.append(holder)
    HOLDERS.sort(key=lambda item: item.order)
    return holder


def identifiers(person) -> Identifiers:
    from crm.countries import format_phone

    values = {f"{person.first_name} {person.last_name}".strip(), person.email}
    for phone in (person.phone, person.mobile):
        if phone:
            values |= {phone, phone.lstrip("+"), format_phone(phone, person.country or "OT")}
            values.add(re.sub(r"^\+\d{1,3}", "", phone))  # the national number alone
    values = {value for value in values if value and len(value) >= 4}
    return Identifiers(person.pk, tuple(sorted(values, key=len, reverse=True)))


# Erasing -------------------------------------------------------------------------------


class RegexpReplace(Func):
    function = "REGEXP_REPLACE"
    output_field = models.TextField()


def scrub(queryset: QuerySet, fields: Iterable[str], ids: Identifiers) -> int:
    """Replace the person's identifiers in ``fields`` of the rows that hold them (one UPDATE)."""
    fields = list(fields)
    if not ids.values or not fields:
        return 0
    holding = Q()
    for name in fields:
        holding |= Q(**{f"{name}__iregex": ids.pattern})
    changes = {
        name: RegexpReplace(F(name), Value(ids.pattern), Value(PLACEHOLDER), Value("gi")) for name in fields
    }
    return queryset.filter(holding).update(**changes)


def scrub_json(model: type[models.Model], field_name: str, ids: Identifiers) -> int:
    """:func:`scrub` for a JSON column (a webhook's payload, an automation run's log)."""
    if not ids.values:
        return 0
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = regexp_replace({column}::text, %s, %s, 'gi')::jsonb "
            f"WHERE {column}::text ~* %s",
            [ids.pattern, PLACEHOLDER, ids.pattern],
        )
        return cursor.rowcount


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The table where the history triggers copy ``model``'s rows (crm.history), if tracked."""
    try:
        return apps.get_model(model._meta.app_label, f"{model.__name__}History")
    except LookupError:
        return None


def redact_history(
    model: type[models.Model], pks: Iterable[int], values: dict | None = None, ids=None
) -> int:
    """The history's copies of ``model``'s rows ``pks``: their fields set to ``values`` and
    the person's identifiers replaced in their text fields."""
    history = history_model(model)
    if history is None:
        return 0
    rows = history.objects.filter(pgh_obj_id__in=list(pks))
    changed = 0
    names = {f.name for f in history._meta.concrete_fields}
    if values:
        changed = rows.update(**{k: v for k, v in values.items() if k in names})
    if ids is not None:
        texts = [
            f.name
            for f in history._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and not f.name.startswith("pgh_")
            and not f.choices
        ]
        changed += scrub(rows, texts, ids)
    return changed


def erase(person, *, by: User | None, reason: str = Erasure.Reason.REQUEST) -> Erasure:
    """Erase what identifies ``person`` everywhere (irreversible); returns the log's entry."""
    from crm.signals import person_erased

    if person.erased_at is not None:
        raise ValueError("already erased")
    ids = identifiers(person)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for holder in HOLDERS:
            for name, n in holder.erase(person, ids).items():
                counts[name] = counts.get(name, 0) + n
        # The access requests' files held all of it.
        for request in PersonalDataRequest.objects.filter(person_number=person.pk).exclude(file=""):
            request.file.delete(save=False)
        counts["access_requests"] = PersonalDataRequest.objects.filter(person_number=person.pk).update(
            file="", person=None, status=PersonalDataRequest.Status.REMOVED
        )
        # Exports written before now may list the person: their files go (the records stay).
        counts["export_files"] = _remove_export_files()
        counts["audit_filters"] = scrub(ExportAudit.objects.all(), ["filters"], ids)
        entry = Erasure.objects.create(person_number=person.pk, by=by, reason=reason, counts=counts)
        person_erased.send(sender=type(person), person_id=person.pk, at=entry.at)
    # Figures kept for minutes (the dashboard, possible duplicates) are computed afresh.
    transaction.on_commit(cache.clear)
    return entry


def _remove_export_files() -> int:
    from crm.models import ExportJob

    removed = 0
    for job in ExportJob.objects.exclude(file="").only("pk", "file"):
        job.file.delete(save=False)
        removed += 1
    ExportJob.objects.exclude(file="").update(file="")
    return removed


# The access request ----------------------------------------------------------------------


def collect(person) -> dict[str, list[dict]]:
    return {holder.name: holder.collect(person) for holder in HOLDERS}


def access_request_start(*, person, by: User) -> PersonalDataRequest:
    request = PersonalDataRequest.objects.create(person=person, person_number=person.pk, requested_by=by)
    from crm.tasks import build_access_request

    transaction.on_commit(lambda: build_access_request.enqueue(request.pk))
    return request


def build(request_id: int) -> PersonalDataRequest:
    """Write the ZIP of an access request: ``data.json``, ``summary.html`` and the person's
    files, with its progress (the task worker)."""
    request = PersonalDataRequest.objects.select_related("person").get(pk=request_id)
    person = request.person
    if person is None or request.status != PersonalDataRequest.Status.WAITING:
        return request
    PersonalDataRequest.objects.filter(pk=request.pk).update(status=PersonalDataRequest.Status.RUNNING)
    try:
        sections = []
        data: dict[str, Any] = {"person_number": person.pk, "generated_at": timezone.now()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, holder in enumerate(HOLDERS, 1):
                rows = holder.collect(person)
                data[holder.name] = rows
                sections.append({"title": holder.title, "rows": rows})
                for name, file in holder.files(person):
                    with file.open("rb") as handle:
                        archive.writestr(f"files/{holder.name}/{name}", handle.read())
                progress = int(90 * index / len(HOLDERS))
                PersonalDataRequest.objects.filter(pk=request.pk).update(progress=progress)
            archive.writestr(
                "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
            summary = render_to_string(
                "crm/personal_data_summary.html",
                {"person": person, "sections": sections, "generated_at": data["generated_at"]},
            )
            archive.writestr("summary.html", summary)
        request.file.save(
            f"access-{person.pk}-{timezone.now():%Y%m%d%H%M%S}.zip",
            ContentFile(buffer.getvalue()),
            save=False,
        )
        request.status, request.progress, request.finished_at = (
            PersonalDataRequest.Status.DONE,
            100,
            timezone.now(),
        )
        request.save(update_fields=["file", "status", "progress", "finished_at"])
    except Exception as error:  # the page says it failed and why; the worker goes on
        PersonalDataRequest.objects.filter(pk=request.pk).update(
            status=PersonalDataRequest.Status.FAILED, error=str(error)[:2000]
        )
        raise
    return request


def row(instance, *names: str, **extra) -> dict:
    """A model row as the access request shows it: the named fields (choices as their labels)."""
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if getattr(field, "choices", None):
            value = str(getattr(instance, f"get_{name}_display")())
        elif isinstance(value, models.Model):
            value = str(value)
        values[str(field.verbose_name)] = value
    values.update({str(k): v for k, v in extra.items()})
    return values


# Retention ---------------------------------------------------------------------------------


def due_for_erasure(on: datetime.date | None = None) -> QuerySet:
    """The discarded people whose retention period ends by ``on`` (today: those to erase now)."""
    from crm import team

    months = team.current().erase_discarded_after
    Person = apps.get_model("people.Person")
    if not months:
        return Person.objects.none()
    on = on or timezone.localdate()
    index = on.year * 12 + on.month - 1 - months
    day = min(on.day, 28)
    then = datetime.date(index // 12, index % 12 + 1, day)
    limit = datetime.datetime.combine(then, datetime.time.max, tzinfo=timezone.get_current_timezone())
    return Person.objects.filter(erased_at=None, discarded_at__lte=limit).order_by("discarded_at", "pk")


def inactive_prospects() -> QuerySet:
    """Prospects nobody has worked for the team's months (no activity done or planned since,
    nor a change): flagged on the Personal data page, to discard or erase."""
    from crm import team

    months = team.current().flag_inactive_after
    Person = apps.get_model("people.Person")
    Activity = apps.get_model("activities.Activity")
    if not months:
        return Person.objects.none()
    since = timezone.now() - datetime.timedelta(days=round(months * 30.44))
    recent = Activity.objects.filter(person=models.OuterRef("pk"), created_at__gte=since)
    return (
        Person.objects.filter(discarded_at=None, erased_at=None, stage="prospect", updated_at__lt=since)
        .exclude(models.Exists(recent))
        .order_by("updated_at", "pk")
    )


def apply_retention(limit: int = 500) -> int:
    """Erase the discarded people whose retention period has ended (the periodic task), a
    batch at a time; returns how many were erased."""
    erased = 0
    for person in list(due_for_erasure()[:limit]):
        erase(person, by=None, reason=Erasure.Reason.RETENTION)
        erased += 1
    return erased


def audit(*, by: User | None, what: str, filters: str, rows: int) -> ExportAudit:
    """Record that ``by`` took ``rows`` rows of ``what`` out (an export, an API listing), and
    tell the administrators when it is more than the team's threshold."""
    from crm import team
    from crm.signals import large_export

    entry = ExportAudit.objects.create(by=by, what=what[:50], filters=filters[:2000], rows=rows)
    if rows > team.current().export_alert_rows:
        large_export.send(sender=ExportAudit, entry=entry)
    return entry
