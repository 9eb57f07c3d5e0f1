"""Background work of campaigns (Django's Tasks API, run by the db_worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_mailing(mailing_id: int) -> int:
    """One step of a campaign email (campaigns.mailings.mailing_send_step)."""
    from campaigns.mailings import mailing_send_step

    return mailing_send_step(mailing_id=mailing_id)
