"""Several task workers, as separate processes (as on several machines), drain one
queue without running any task twice."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from activities.models import Category
from crm.tests.helpers import database_url, process_env
from crm.tests.worker_tasks import record

pytestmark = pytest.mark.django_db(transaction=True)


def test_several_workers_share_one_queue_and_run_each_task_once():
    for n in range(40):
        record.enqueue(n)
    env = process_env(DATABASE_URL=database_url(), PYTHONWARNINGS="ignore")
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--worker-id",
                f"machine-{i}",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(3)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0]
    runs = Counter(Category.objects.filter(name__startswith="task-").values_list("name", flat=True))
    assert runs == Counter({f"task-{n}": 1 for n in range(40)})
    results = DBTaskResult.objects.all()
    assert {result.status for result in results} == {"SUCCESSFUL"}
    by_worker = Counter(worker for result in results for worker in result.worker_ids)
    assert sum(by_worker.values()) == 40  # one worker per task
    assert len(by_worker) > 1  # and the work was shared
