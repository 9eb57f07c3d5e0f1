from __future__ import annotations

import functools
from datetime import timedelta

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from activities.models import Activity, Notification
from crm import access
from crm.cache import user_figure


def reminder_counts(request: HttpRequest) -> dict:
    """Overdue and today's reminders and unread notifications of the signed-in user, for the
    navigation on every page: one query, evaluated only when a template uses it, and kept for
    a few seconds (crm.cache.user_figure: forgotten when the user changes something)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "reminder_counts": SimpleLazyObject(
            lambda: user_figure("nav-counts", user.pk, lambda: counts_for(user))
        ),
        "notifications_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
    }


@functools.lru_cache(maxsize=1024)
def _reminders_sql(key: tuple[int, str, bool]) -> tuple[str, tuple]:
    """The SQL of a user's reminders to do (``access.my_reminders``), written once per process
    for each access.rule_key: the navigation asks on every page, and writing it took as long as
    PostgreSQL takes to count."""
    rule = access.my_reminders(access.stand_in(key))
    sql, params = rule.order_by().values("due_at").query.sql_with_params()
    return sql, tuple(params)


def counts_for(user) -> dict:
    """Overdue and today's reminders (one pass over the user's reminders due before tonight)
    and unread notifications, in one query."""
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    reminders, params = _reminders_sql(access.rule_key(user))
    with connections[router.db_for_read(Activity)].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE r.due_at < %s), COUNT(*) FILTER (WHERE r.due_at >= %s),"
            f" (SELECT COUNT(*) FROM {Notification._meta.db_table} n"
            "   WHERE n.user_id = %s AND n.read_at IS NULL)"
            f" FROM ({reminders}) r WHERE r.due_at < %s",
            [now, now, user.pk, *params, end_of_today],
        )
        overdue, today, unread = cursor.fetchone()
    return {"overdue": overdue, "today": today, "unread": unread}
