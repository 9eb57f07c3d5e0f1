"""Background work of the channels (Django's Tasks API, run by the db_worker): the mailboxes
checked every MAIL_POLL_SECONDS."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

TASK_PATH = "messaging.tasks.poll_mailboxes"


@task()
def poll_mailboxes(reschedule: bool = True) -> dict:
    """Check every active mailbox (messaging.imap.check_all), then plan the next round."""
    from messaging import imap

    try:
        return {str(k): v for k, v in imap.check_all().items()}
    finally:
        if reschedule:
            poll_mailboxes.using(
                run_after=timezone.now() + timedelta(seconds=settings.MAIL_POLL_SECONDS)
            ).enqueue()


def ensure_polling() -> bool:
    """Plan the polling unless a round is already waiting; returns whether one was planned."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status__in=["READY", "RUNNING"]).exists()
    if waiting:
        return False
    poll_mailboxes.enqueue()
    return True


def plan_polling(sender=None, stdout=None, **kwargs) -> None:
    if ensure_polling() and stdout is not None:
        stdout.write("Mailbox checks planned.")
