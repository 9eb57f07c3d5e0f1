"""Imports run by the task worker, reporting progress on the ImportJob."""

from __future__ import annotations

import logging

import pghistory
from django.utils import timezone
from django_tasks import task

from crm import importing, team
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
        raise
    for name, value in counts.as_dict().items():
        setattr(job, name, value)
    job.status = done_status
    job.progress = 100
    job.finished_at = timezone.now()
    job.save()
    return counts.as_dict()
