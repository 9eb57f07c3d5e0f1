"""The background worker: lets every app plan its recurring tasks (the morning
reminder digest), then drains the task queue (django-tasks-db's db_worker)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from crm.signals import worker_starting


class Command(BaseCommand):
    help = "Run the task worker, with each app's recurring tasks on their schedule."

    def handle(self, *args, **options):
        worker_starting.send(sender=self.__class__, stdout=self.stdout)
        call_command("db_worker")
