"""State changes of people and tags. Every change of a person is recorded as a
PersonEvent with who and when; discarding never deletes a row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities import notifications
from crm import access, consent
from crm.models import User
from crm.validation import full_clean
from crm.versioning import check_version
from people.models import ImportJob, Person, PersonEvent, Tag

# Fields a person's edit form changes; each change is recorded by name.
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "city",
    "country",
    "source",
    "owner",
    "notes",
)


def _record(person: Person, kind: str, by: User, old: str = "", new: str = "") -> PersonEvent:
    return PersonEvent.record([person.pk], kind=kind, by=by, old_value=old, new_value=new)[0]


@transaction.atomic
def person_create(*, by: User, tags: Iterable[Tag] = (), **fields: Any) -> Person:
    person = Person(**fields)
    full_clean(person, exclude=["search"])
    person.save()
    if tags:
        person.tags.set(tags)
    _record(person, PersonEvent.Kind.CREATED, by, new=person.get_stage_display())
    return person


@transaction.atomic
def person_update(
    *, person: Person, by: User, tags: Iterable[Tag] | None = None, version: str | None = None, **fields: Any
) -> Person:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    check_version(locked, version)
    old_owner = locked.owner_id
    changed = []
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name != "custom":
            raise ValueError(f"{name} is not editable")
        if getattr(locked, name) != value:
            changed.append(str(Person._meta.get_field(name).verbose_name))
            setattr(locked, name, value)
    given = locked.owner_id != old_owner
    full_clean(locked, exclude=["search"])
    locked.save()
    if tags is not None:
        _set_tags(locked, set(tags), by)
    if changed:
        _record(locked, PersonEvent.Kind.UPDATED, by, new=", ".join(changed))
    if given:
        notifications.given(to=locked.owner_id, by=by, ids=[locked.pk], model=Person)
    return locked


def _set_tags(person: Person, wanted: set[Tag], by: User) -> None:
    current = set(person.tags.all())
    for tag in sorted(wanted - current, key=str):
        person.tags.add(tag)
        _record(person, PersonEvent.Kind.TAGGED, by, new=tag.name)
    for tag in sorted(current - wanted, key=str):
        person.tags.remove(tag)
        _record(person, PersonEvent.Kind.UNTAGGED, by, old=tag.name)


@transaction.atomic
def person_set_stage(*, person: Person, by: User, stage: str) -> Person:
    if stage not in Person.Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.stage != stage:
        old = locked.stage
        locked.stage = stage
        locked.save(update_fields=["stage", "updated_at"])
        _record(locked, PersonEvent.Kind.STAGE, by, old=old, new=stage)
    return locked


@transaction.atomic
def person_discard(*, person: Person, by: User, reason: str = "") -> Person:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.discarded_at is not None:
        raise ValidationError(_("This person is already discarded."))
    locked.discarded_at = timezone.now()
    locked.discarded_by = by
    locked.discard_reason = reason.strip()[:300]
    locked.save(update_fields=["discarded_at", "discarded_by", "discard_reason", "updated_at"])
    _record(locked, PersonEvent.Kind.DISCARDED, by, new=locked.discard_reason)
    return locked


def prospect_from_channel(
    *, by: User, owner: User, source: str, arrived: bool = False, **fields: Any
) -> Person:
    """A new prospect from what a stranger wrote (activities.intake): an email of the Inbox,
    a WhatsApp number. Its agent is told, unless they made it themselves (``arrived``: it
    came in by itself, nobody made it)."""
    person = person_create(by=by, owner=owner, stage=Person.Stage.PROSPECT, source=source, **fields)
    notifications.notify(
        [owner],
        kind=notifications.Kind.LEAD,
        actor=None if arrived else by,
        text=lambda: (
            _("New lead from %(channel)s: %(name)s")
            % {"channel": "WhatsApp" if source == "whatsapp" else _("email"), "name": person}
        ),
        url=person.get_absolute_url(),
    )
    return person


@transaction.atomic
def person_unsubscribe(*, person: Person) -> bool:
    """The person asked for no more campaign emails (their link): kept from now on, and their
    consent to marketing email withdrawn. Returns whether this changed anything."""
    changed = bool(
        Person.objects.filter(pk=person.pk, unsubscribed_at=None).update(
            unsubscribed_at=timezone.now(), updated_at=timezone.now()
        )
    )
    if changed:
        consent.record(
            people=[person.pk],
            channels=[consent.Channel.EMAIL],
            purposes=[consent.Purpose.MARKETING],
            given=False,
            source=consent.Source.UNSUBSCRIBE,
        )
    return changed


@transaction.atomic
def person_restore(*, person: Person, by: User) -> Person:
    """Back to People exactly as it was: only the discard marks are cleared."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.discarded_at is None:
        raise ValidationError(_("This person is not discarded."))
    locked.discarded_at = None
    locked.discarded_by = None
    locked.discard_reason = ""
    locked.save(update_fields=["discarded_at", "discarded_by", "discard_reason", "updated_at"])
    _record(locked, PersonEvent.Kind.RESTORED, by)
    return locked


# Set-based: many people at once (bulk actions and their undo, imports, lead capture) ------
# One UPDATE, one event per person as a single change would write, and one announcement.


def people_record(*, ids: Iterable[int], kind: str, by: User, old: str = "", new: str = "") -> None:
    """The same event on many people's timelines (the one way other apps write them)."""
    PersonEvent.record(ids, kind=kind, by=by, old_value=old, new_value=new)


@transaction.atomic
def people_reassign(*, ids: Iterable[int], to: User, by: User) -> dict[int, int]:
    """Give people to ``to``; returns {pk: previous owner id} of those that moved."""
    previous = dict(Person.objects.filter(pk__in=list(ids)).exclude(owner=to).values_list("pk", "owner_id"))
    if previous:
        Person.objects.filter(pk__in=previous).update(owner=to, updated_at=timezone.now())
        owner = str(Person._meta.get_field("owner").verbose_name)
        people_record(ids=previous, kind=PersonEvent.Kind.UPDATED, by=by, new=owner)
        notifications.given(
            to=to,
            by=by,
            ids=previous,
            model=Person,
            several=lambda count: (
                ngettext("%(name)s gave you %(count)s person", "%(name)s gave you %(count)s people", count)
                % {"name": by, "count": count}
            ),
            list_url=reverse("people:list"),
        )
    return previous


@transaction.atomic
def people_tag(*, ids: Iterable[int], tag: Tag, by: User) -> list[int]:
    """Add ``tag`` to the people who lack it; returns those."""
    through = Person.tags.through
    ids = list(ids)
    present = set(through.objects.filter(tag=tag, person_id__in=ids).values_list("person_id", flat=True))
    fresh = [pk for pk in ids if pk not in present]
    through.objects.bulk_create([through(tag=tag, person_id=pk) for pk in fresh], batch_size=2000)
    Person.objects.filter(pk__in=fresh).update(updated_at=timezone.now())
    people_record(ids=fresh, kind=PersonEvent.Kind.TAGGED, by=by, new=tag.name)
    return fresh


@transaction.atomic
def people_untag(*, ids: Iterable[int], tag: Tag, by: User) -> list[int]:
    """Take ``tag`` off the people who wear it; returns those."""
    links = Person.tags.through.objects.filter(tag=tag, person_id__in=list(ids))
    removed = sorted(links.values_list("person_id", flat=True))
    links.delete()
    Person.objects.filter(pk__in=removed).update(updated_at=timezone.now())
    people_record(ids=removed, kind=PersonEvent.Kind.UNTAGGED, by=by, old=tag.name)
    return removed


@transaction.atomic
def people_set_stage(*, ids: Iterable[int], stage: str, by: User) -> dict[int, str]:
    """Move people to ``stage``; returns {pk: previous stage} of those that moved."""
    if stage not in Person.Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    previous = dict(Person.objects.filter(pk__in=list(ids)).exclude(stage=stage).values_list("pk", "stage"))
    Person.objects.filter(pk__in=previous).update(stage=stage, updated_at=timezone.now())
    for old in set(previous.values()):
        moved = [pk for pk, was in previous.items() if was == old]
        people_record(ids=moved, kind=PersonEvent.Kind.STAGE, by=by, old=old, new=stage)
    return previous


@transaction.atomic
def people_discard(*, ids: Iterable[int], by: User, reason: str = "") -> list[int]:
    """Discard the people not discarded yet; returns those."""
    reason = reason.strip()[:300]
    fresh = list(Person.objects.filter(pk__in=list(ids), discarded_at=None).values_list("pk", flat=True))
    Person.objects.filter(pk__in=fresh).update(
        discarded_at=timezone.now(), discarded_by=by, discard_reason=reason, updated_at=timezone.now()
    )
    people_record(ids=fresh, kind=PersonEvent.Kind.DISCARDED, by=by, new=reason)
    return fresh


@transaction.atomic
def people_restore(*, ids: Iterable[int], by: User) -> list[int]:
    """Back to People exactly as they were (only the discard marks cleared); returns those."""
    back = list(
        Person.objects.filter(pk__in=list(ids)).exclude(discarded_at=None).values_list("pk", flat=True)
    )
    Person.objects.filter(pk__in=back).update(
        discarded_at=None, discarded_by=None, discard_reason="", updated_at=timezone.now()
    )
    people_record(ids=back, kind=PersonEvent.Kind.RESTORED, by=by)
    return back


def person_merged(*, survivor: Person, duplicate: Person, changed: list[str], by: User) -> None:
    """What a merge (crm.merge) did, on both timelines: the duplicate discarded
    (its reason names the survivor), the survivor updated with the fields it took."""
    _record(duplicate, PersonEvent.Kind.DISCARDED, by, new=duplicate.discard_reason)
    if changed:
        _record(survivor, PersonEvent.Kind.UPDATED, by, new=", ".join(changed))


@transaction.atomic
def person_add_tag(*, person: Person, by: User, tag: Tag) -> None:
    if not person.tags.filter(pk=tag.pk).exists():
        person.tags.add(tag)
        _record(person, PersonEvent.Kind.TAGGED, by, new=tag.name)


@transaction.atomic
def person_remove_tag(*, person: Person, by: User, tag: Tag) -> None:
    if person.tags.filter(pk=tag.pk).exists():
        person.tags.remove(tag)
        _record(person, PersonEvent.Kind.UNTAGGED, by, old=tag.name)


def find_duplicates(
    *,
    email: str = "",
    phones: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    company_id: int | None = None,
    exclude_pk: int | None = None,
) -> QuerySet[Person]:
    """People in People (not discarded) that are likely the same person: the
    same email, the same phone or mobile, or the same name in the same company."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    numbers = [p for p in phones if p]
    if numbers:
        condition |= Q(phone__in=numbers) | Q(mobile__in=numbers)
    if company_id and first_name:
        condition |= Q(
            first_name__iexact=first_name, last_name__iexact=last_name, memberships__company_id=company_id
        )
    if not condition:
        return Person.objects.none()
    queryset = Person.objects.filter(condition, discarded_at=None).distinct()
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("owner").order_by("-created_at", "-id")


def duplicate_warning(
    *,
    user: User,
    email: str = "",
    phones: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    company_id: int | None = None,
    exclude_pk: int | None = None,
) -> dict | None:
    """What a form shows before saving a likely duplicate: the matches the
    user may open, and how many more belong to other agents (not shown)."""
    found = list(
        find_duplicates(
            email=email,
            phones=phones,
            first_name=first_name,
            last_name=last_name,
            company_id=company_id,
            exclude_pk=exclude_pk,
        )[:10]
    )
    if not found:
        return None
    visible = set(access.people(user).filter(pk__in=[p.pk for p in found]).values_list("pk", flat=True))
    return {
        "visible": [p for p in found if p.pk in visible],
        "hidden_count": sum(1 for p in found if p.pk not in visible),
    }


# Tags ----------------------------------------------------------------------


def clean_tag_name(name: str, exclude_pk: int | None = None) -> str:
    """The name with spaces tidied; refused when another tag has it (any case)."""
    name = " ".join(name.split())
    clash = Tag.objects.filter(name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("A tag with this name already exists.")})
    return name


@transaction.atomic
def tag_create(*, name: str, color: str) -> Tag:
    tag = Tag(name=clean_tag_name(name), color=color)
    full_clean(tag)
    tag.save()
    return tag


@transaction.atomic
def tag_update(*, tag: Tag, name: str, color: str) -> Tag:
    tag.name, tag.color = clean_tag_name(name, exclude_pk=tag.pk), color
    full_clean(tag)
    tag.save()
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag, by: User) -> int:
    """Delete a tag; its removal is recorded on every person who wore it.
    Returns how many did."""
    person_ids = list(tag.people.values_list("pk", flat=True))
    people_record(ids=person_ids, kind=PersonEvent.Kind.UNTAGGED, by=by, old=tag.name)
    tag.delete()
    return len(person_ids)


# Import jobs: the steps a user takes (the engine is crm.importing) -------------------


@transaction.atomic
def import_job_preview(*, job: ImportJob, mapping: list[str]) -> ImportJob:
    """Save the column mapping and start the dry run in the background."""
    from people import tasks

    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED):
        raise ValidationError(_("This import can no longer be changed."))
    locked.mapping, locked.status, locked.progress = mapping, ImportJob.Status.ANALYSING, 0
    locked.save(update_fields=["mapping", "status", "progress"])
    tasks.preview_import.enqueue(locked.pk)
    return locked


@transaction.atomic
def import_job_remap(*, job: ImportJob) -> ImportJob:
    """Back from the preview to the columns."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status == ImportJob.Status.PREVIEWED:
        locked.status = ImportJob.Status.UPLOADED
        locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """The user saw the preview: import for real, in the background (once)."""
    from people import tasks

    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportJob.Status.PREVIEWED:
        raise ValidationError(_("Only a previewed import can be confirmed, and only once."))
    locked.status, locked.progress = ImportJob.Status.IMPORTING, 0
    locked.save(update_fields=["status", "progress"])
    tasks.run_import.enqueue(locked.pk)
    return locked
