from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from crm import access


def reminder_counts(request: HttpRequest) -> dict:
    """Overdue and today's reminders of the signed-in user, for the navigation
    on every page: one query, evaluated only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"reminder_counts": SimpleLazyObject(lambda: counts_for(user))}


def counts_for(user) -> dict:
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    return access.my_reminders(user).aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        today=Count("pk", filter=Q(due_at__gte=now, due_at__lt=end_of_today)),
    )
