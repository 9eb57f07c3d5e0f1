from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Func, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from activities.models import Notification
from crm import access
from crm.cache import user_figure
from crm.models import User


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


def _count(queryset) -> Subquery:
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")))


def counts_for(user) -> dict:
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    reminders = access.my_reminders(user)
    counts = (
        User.objects.filter(pk=user.pk)
        .values(
            overdue=_count(reminders.filter(due_at__lt=now)),
            today=_count(reminders.filter(due_at__gte=now, due_at__lt=end_of_today)),
            unread=_count(Notification.objects.filter(user=user, read_at=None)),
        )
        .first()
    )
    return counts or {"overdue": 0, "today": 0, "unread": 0}
