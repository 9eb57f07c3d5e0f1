"""The automations' task (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_rules(trigger: str, items: list, chain: list) -> int:
    """The rules of ``trigger`` on the records an event named (automations.engine.run)."""
    from automations import engine

    return engine.run(trigger, items, chain)
