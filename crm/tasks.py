"""Background tasks of the core (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

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


def recurring(next_run: Callable[[], datetime]):
    """A task that plans itself: whatever its run did, even failing, the next run is planned at
    ``next_run()`` unless one is already waiting. ``reschedule=False`` runs it once (tests)."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, reschedule: bool = True, **kwargs):
            try:
                return function(*args, **kwargs)
            finally:
                if reschedule:
                    plan_once(recurring_task, next_run())

        recurring_task = task()(run)
        return recurring_task

    return decorate


def on_worker_start(recurring_task, said: str, first: Callable[[], datetime] | None = None):
    """A receiver of the worker's start (``crm.signals.worker_starting``): plan the first run of
    ``recurring_task`` (now, or at ``first()``) unless one is waiting, and say so."""

    def plan(sender=None, stdout=None, **kwargs) -> None:
        if plan_once(recurring_task, first() if first else None) and stdout is not None:
            stdout.write(said)

    return plan


def after(setting: str = "", **delta) -> Callable[[], datetime]:
    """When a run planned now happens: ``delta`` from now (``after(minutes=5)``), or as many
    seconds as a setting says when the run is planned (``after("MAIL_POLL_SECONDS")``)."""
    from django.conf import settings

    if setting:
        return lambda: timezone.now() + timedelta(seconds=getattr(settings, setting))
    return lambda: timezone.now() + timedelta(**delta)


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


@recurring(after(days=1))
def apply_retention() -> int:
    """Erase the discarded people whose retention period ended (every day)."""
    from crm import personal_data

    return personal_data.apply_retention()


plan_retention = on_worker_start(apply_retention, "Retention planned.")


@recurring(after(minutes=5))
def cull_cache() -> int:
    """Expired cache rows deleted, the table culled if too large (crm.cache), every five
    minutes: a write never counts the table."""
    from django.core.cache import cache

    return cache.cull() if hasattr(cache, "cull") else 0


plan_cache_cull = on_worker_start(cull_cache, "Cache culling planned.")
