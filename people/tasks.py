"""Imports run by the task worker, reporting progress on the ImportJob."""

from __future__ import annotations

import logging

import pghistory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks import task

from activities import notifications
from crm import importing, team
from crm.signals import job_finished
from people.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def preview_import(job_id: int) -> dict:
    return _run(job_id, importing.preview, ImportJob.Status.PREVIEWED)


@task()
def run_import(job_id: int) -> dict:
    return _run(job_id, importing.run, ImportJob.Status.DONE)


def _run(job_id: int, step, done_status: str) -> dict:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    total = max(job.rows or importing.estimate_rows(job), 1)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress=min(99, done * 100 // total))

    job.started_at = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at, progress=0)
    try:
        # The history of every row it writes names the import and the user who asked for it.
        with (
            team.speaking_as(job.created_by),
            pghistory.context(user=job.created_by_id, import_job=job.pk),
        ):
            counts = step(job, progress)
    except Exception as error:  # the job must say it failed, whatever failed
        logger.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        _finished(job, ok=False)
        raise
    for name, value in counts.as_dict().items():
        setattr(job, name, value)
    job.status = done_status
    job.progress = 100
    job.finished_at = timezone.now()
    job.save()
    if done_status == ImportJob.Status.DONE:
        _finished(job, ok=True)
        _tell_owner(job)
    return counts.as_dict()


def _tell_owner(job: ImportJob) -> None:
    """The people an import created for another agent are theirs: they are told."""
    owner_id = job.options.get("owner")
    if not job.created or not owner_id or str(owner_id) == str(job.created_by_id):
        return
    notifications.notify(
        [owner_id],
        kind=notifications.Kind.GIVEN,
        actor=job.created_by,
        text=lambda: (
            ngettext(
                "%(name)s imported %(count)s person for you",
                "%(name)s imported %(count)s people for you",
                job.created,
            )
            % {"name": job.created_by, "count": job.created}
        ),
        detail=job.original_name,
        url=reverse("people:list"),
    )


def _finished(job: ImportJob, *, ok: bool) -> None:
    job_finished.send(
        sender=ImportJob,
        user=job.created_by,
        ok=ok,
        name=job.original_name,
        url=reverse("people:import_detail", args=[job.pk]),
    )
