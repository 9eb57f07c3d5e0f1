"""The background worker: plans the daily reminder digest, then drains the
task queue (django-tasks-db's db_worker)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from crm.tasks import ensure_digest_scheduled


class Command(BaseCommand):
    help = "Run the task worker, with the daily reminder digest on its schedule."

    def handle(self, *args, **options):
        if ensure_digest_scheduled():
            self.stdout.write("Daily reminder digest planned.")
        call_command("db_worker")
