"""A task for the worker tests: records that it ran, once per call."""

import time

from django_tasks import task

from activities.models import Category


@task()
def record(n: int) -> None:
    time.sleep(0.05)  # long enough for the workers to overlap
    Category.objects.create(name=f"task-{n}")
