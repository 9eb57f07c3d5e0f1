"""Background tasks of the tallies (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def ensure_tallies() -> bool:
    """The dashboard's tallies built again if the team's time zone changed (tallies.triggers)."""
    from tallies import triggers

    return triggers.ensure()


def zone_changed(sender, instance, **kwargs) -> None:
    """post_save of the team's settings: if the time zone is not the tallies' one, the worker
    counts the days again."""
    from tallies.models import TallyState

    state = TallyState.objects.first()
    if state is None or state.zone != instance.time_zone:
        transaction.on_commit(ensure_tallies.enqueue)
