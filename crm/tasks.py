"""Background tasks of the core (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def build_export(job_id: int) -> int:
    """Write a large spreadsheet export queued by a list page."""
    from crm.exports import build_export_file
    from crm.models import ExportJob

    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    try:
        build_export_file(job)
    except Exception:
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        _finished(job, ok=False)
        raise
    job.status = ExportJob.Status.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.save()
    _finished(job, ok=True)
    return job.rows


def _finished(job, *, ok: bool) -> None:
    from django.urls import reverse

    from crm.signals import job_finished

    job_finished.send(
        sender=type(job),
        user=job.created_by,
        ok=ok,
        name=job.filename,
        url=reverse("crm:export_detail", args=[job.pk]),
    )


def plan_once(recurring, run_after=None) -> bool:
    """Plan a task that plans itself again (the digest, the mailbox rounds, the automations' checks) unless a run is
    already waiting; True if planned. A run left "running" by a worker that was stopped is
    not waiting: the next start plans a new one."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=recurring.module_path, status="READY").exists():
        return False
    (recurring.using(run_after=run_after) if run_after else recurring).enqueue()
    return True


@task()
def build_access_request(request_id: int) -> str:
    """Write the ZIP of a person's access request (crm.personal_data)."""
    from django.urls import reverse

    from crm import personal_data
    from crm.signals import job_finished

    request = personal_data.build(request_id)
    job_finished.send(
        sender=type(request),
        user=request.requested_by,
        ok=request.status == request.Status.DONE,
        name=request.file.name.rsplit("/", 1)[-1] if request.file else str(request),
        url=reverse("crm:access_request", args=[request.pk]),
    )
    return request.status


@task()
def apply_retention(reschedule: bool = True) -> int:
    """Erase the discarded people whose retention period ended, then plan tomorrow's run."""
    from datetime import timedelta

    from crm import personal_data

    try:
        return personal_data.apply_retention()
    finally:
        if reschedule:
            apply_retention.using(run_after=timezone.now() + timedelta(days=1)).enqueue()


def plan_retention(sender=None, stdout=None, **kwargs) -> None:
    """When the task worker starts: plan the daily retention run unless one is waiting."""
    if plan_once(apply_retention) and stdout is not None:
        stdout.write("Retention planned.")


@task()
def cull_cache(reschedule: bool = True) -> int:
    """Expired cache rows deleted, the table culled if too large (crm.cache), then the next
    run planned: a write never counts the table."""
    from datetime import timedelta

    from django.core.cache import cache

    try:
        return cache.cull() if hasattr(cache, "cull") else 0
    finally:
        if reschedule:
            cull_cache.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue()


def plan_cache_cull(sender=None, stdout=None, **kwargs) -> None:
    """When the task worker starts: plan the cache's culling unless a run is waiting."""
    if plan_once(cull_cache) and stdout is not None:
        stdout.write("Cache culling planned.")
