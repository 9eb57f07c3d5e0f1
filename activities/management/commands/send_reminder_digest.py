"""Cron-friendly: email every user their due and overdue reminders now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from activities.tasks import send_reminder_digest


class Command(BaseCommand):
    help = "Email each user their due and overdue reminders (at most once a day per user)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the task worker instead of running it here.",
        )

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = send_reminder_digest.using().enqueue(reschedule=False)
            self.stdout.write(f"enqueued task={result.id}")
            return
        outcome = send_reminder_digest.call(reschedule=False)
        self.stdout.write(f"users={outcome['users']} reminders={outcome['reminders']}")
