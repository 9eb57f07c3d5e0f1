"""What the CRM holds about a person in People: their fields and custom fields, tags, consents,
timeline events, files, and the import files that listed them (crm.personal_data)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Attachment, Consent
from crm.personal_data import Holder, Identifiers, redact_history, register, row, scrub
from people.models import ImportJob, Person, PersonEvent

# What an erased person's row keeps: nothing that identifies them.
ERASED = {
    "first_name": "—",
    "last_name": "",
    "email": "",
    "phone": "",
    "mobile": "",
    "city": "",
    "notes": "",
    "discard_reason": "",
    "custom": {},
}


def collect(person: Person) -> list[dict]:
    person = Person.objects.select_related("owner").get(pk=person.pk)
    data = row(
        person,
        "first_name", "last_name", "email", "phone", "mobile", "city", "country", "source", "stage",
        "owner", "notes", "created_at", "updated_at", "discarded_at", "unsubscribed_at",
    )  # fmt: skip
    data[str(_("custom fields"))] = person.custom
    data[str(_("tags"))] = [tag.name for tag in person.tags.all()]
    rows = [data]
    rows += [
        row(c, "channel", "purpose", "basis", "given", "at", "source", "text")
        for c in Consent.objects.filter(person=person).order_by("at", "id")
    ]
    rows += [row(e, "kind", "old_value", "new_value", "at") for e in person.events.order_by("at", "id")]
    return rows


def files(person: Person):
    for attachment in Attachment.objects.filter(person=person).order_by("pk"):
        yield f"{attachment.pk}-{attachment.name}", attachment.file


def erase(person: Person, ids: Identifiers) -> dict[str, int]:
    counts = {}
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        **ERASED,
        erased_at=now,
        discarded_at=models.functions.Coalesce("discarded_at", models.Value(now)),
        updated_at=now,
    )
    counts["history"] = redact_history(Person, [person.pk], ERASED)
    counts["events"] = (
        PersonEvent.objects.filter(person=person)
        .exclude(old_value="", new_value="")
        .update(old_value="", new_value="")
    )
    counts["consent_notes"] = Consent.objects.filter(person=person).exclude(text="").update(text="")
    attachments = list(Attachment.objects.filter(person=person))
    for attachment in attachments:
        attachment.file.delete(save=False)
    counts["files"] = Attachment.objects.filter(person=person).delete()[0]
    # An import's file and its error report list the rows as they came.
    # An import's file and its error report list the rows as they came: those of finished
    # imports go (an import still running keeps its own).
    finished = ImportJob.objects.filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED]).exclude(
        file=""
    )
    imports = 0
    for job in finished.only("pk", "file", "error_report"):
        job.file.delete(save=False)
        if job.error_report:
            job.error_report.delete(save=False)
        imports += 1
    finished.update(file="", error_report="")
    counts["import_files"] = imports
    counts["mentions"] = scrub(PersonEvent.objects.exclude(person=person), ["old_value", "new_value"], ids)
    return counts


register(Holder("person", _("The person"), collect, erase, files, order=90))
