"""The automations' task (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_rules(trigger: str, items: list, chain: list) -> int:
    """The rules of ``trigger`` on the records an event named (automations.engine.run)."""
    from automations import engine

    return engine.run(trigger, items, chain)


@task()
def run_idle(rule_id: int, stage_id: int, since: str, until: str) -> int:
    """One rule on the cards of a stage gone idle in a window (automations.engine.run_idle)."""
    from automations import engine

    return engine.run_idle(rule_id, stage_id, since, until)


@task()
def run_overdue(rule_id: int, since: str, until: str) -> int:
    """One rule on the reminders gone overdue in a window (automations.engine.run_overdue)."""
    from automations import engine

    return engine.run_overdue(rule_id, since, until)


@task()
def check_time_rules(reschedule: bool = True) -> int:
    """The time-based triggers (idle cards, overdue reminders), then the next check."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from automations import engine

    try:
        return engine.check_time()
    finally:
        if reschedule:
            check_time_rules.using(
                run_after=timezone.now() + timedelta(seconds=settings.AUTOMATION_CHECK_SECONDS)
            ).enqueue()


def plan_checks(sender=None, stdout=None, **kwargs) -> None:
    """When the task worker starts: plan the periodic check unless one is waiting."""
    from crm.tasks import plan_once

    if plan_once(check_time_rules) and stdout is not None:
        stdout.write("Automation checks planned.")
