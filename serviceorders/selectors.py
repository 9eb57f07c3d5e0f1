"""Order reports (seed 003 "Reportes de Órdenes"), aggregated in the database."""

from __future__ import annotations

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from serviceorders.models import ServiceOrder


def _time_to_finish():
    return ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField())


def report(orders: QuerySet[ServiceOrder]) -> dict:
    """Orders by status, by assignee and by client (the 20 with most orders),
    and the averages of rating and time to finish: four queries."""
    finished = Q(finished_at__isnull=False)
    by_status = dict(orders.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    statuses = [(value, label, by_status.get(value, 0)) for value, label in ServiceOrder.Status.choices]
    per = {
        "orders": Count("pk"),
        "open": Count("pk", filter=Q(status__in=[ServiceOrder.Status.PENDING, ServiceOrder.Status.REOPENED])),
        "rating": Avg("rating"),
        "time": Avg(_time_to_finish(), filter=finished),
    }
    by_assignee = list(orders.values("assignee__name").annotate(**per).order_by("-orders", "assignee__name"))
    by_client = list(orders.values("company__name").annotate(**per).order_by("-orders", "company__name")[:20])
    totals = orders.aggregate(**per)
    return {"statuses": statuses, "by_assignee": by_assignee, "by_client": by_client, "totals": totals}


def hours(duration) -> float | None:
    return round(duration.total_seconds() / 3600, 1) if duration is not None else None
