"""The automations' task (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

from django_tasks import task

from crm.tasks import after, on_worker_start, recurring


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


@recurring(after("AUTOMATION_CHECK_SECONDS"))
def check_time_rules() -> int:
    """The time-based triggers (idle cards, overdue reminders), every AUTOMATION_CHECK_SECONDS."""
    from automations import engine

    return engine.check_time()


plan_checks = on_worker_start(check_time_rules, "Automation checks planned.")
