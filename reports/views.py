from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from activities.filters import ActivityFilter
from crm import access
from crm.currency import Rates, base_currency
from crm.exports import table_download
from crm.pagination import paginate
from crm.routers import reads_from_replica
from opportunities.filters import OpportunityFilter
from reports import charts
from reports.charts import BY_SLUG, Scope
from reports.forms import DashboardFilterForm


@login_required
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every chart in one request: their data embedded for Chart.js, and a
    table of numbers behind each chart's toggle."""
    scope = Scope.from_request(request)
    context = {
        "form": DashboardFilterForm(request.GET or None, user=request.user),
        "scope": scope,
        "base_currency": base_currency(),
        **charts.dashboard(scope),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
@reads_from_replica
def chart_data(request: HttpRequest, slug: str) -> HttpResponse:
    """One chart's data as JSON (django-chartjs), for other pages and tools."""
    chart_class = BY_SLUG.get(slug)
    if chart_class is None:
        raise Http404
    return chart_class.as_view()(request)


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html")


@login_required
@reads_from_replica
def activities_report(request: HttpRequest) -> HttpResponse:
    """Activities and tasks (seed 003 "Reportes"), with totals by kind and user."""
    filterset = ActivityFilter(request.GET, queryset=access.activities(request.user), user=request.user)
    rows = filterset.qs.select_related("person", "company", "owner", "category")
    totals = (
        filterset.qs.order_by()
        .values("owner__name", "kind")
        .annotate(n=Count("pk"))
        .order_by("owner__name", "kind")
    )
    return render(
        request,
        "reports/activities.html",
        {
            "filter": filterset,
            "page": paginate(request, rows, per_page=100, keys_first=True),
            "totals": totals,
        },
    )


@login_required
@reads_from_replica
def opportunities_report(request: HttpRequest) -> HttpResponse:
    filterset = OpportunityFilter(request.GET, queryset=access.opportunities(request.user), user=request.user)
    rows = filterset.qs.select_related("pipeline", "stage", "company", "agent")
    totals = list(
        filterset.qs.order_by()
        .values("status", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("status", "currency")
    )
    # Each status's amounts in the base currency, at today's rates.
    rates = Rates.on_date(request.user)
    by_status: dict[str, list] = {}
    for row in totals:
        by_status.setdefault(row["status"], []).append((row["currency"], row["amount"]))
    return render(
        request,
        "reports/opportunities.html",
        {
            "filter": filterset,
            "page": paginate(request, rows, per_page=100, keys_first=True),
            "totals": totals,
            "base_totals": [(status, rates.total(amounts)) for status, amounts in by_status.items()],
            "base_currency": rates.base,
        },
    )


def _count(queryset, field: str):
    """A correlated COUNT per campaign: no join multiplies the rows."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _campaign_rows(user):
    members = access.campaign_members(user)
    return (
        access.campaigns(user)
        .annotate(
            member_count=_count(members, "campaign"),
            interested=_count(members.filter(status="interested"), "campaign"),
            converted=_count(members.filter(status="converted"), "campaign"),
            activity_count=_count(access.activities(user), "campaign"),
        )
        .select_related("owner")
        .order_by("-created_at", "-id")
    )


@login_required
@reads_from_replica
def campaigns_report(request: HttpRequest) -> HttpResponse:
    rows = _campaign_rows(request.user)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [
            _("Campaign"), _("Product or service"), _("Starts on"), _("Ends on"), _("Status"), _("Members"),
            _("Interested"), _("Converted"), _("Conversion %"), _("Activities"), _("Owner"),
        ]  # fmt: skip
        data = (
            [
                c.name,
                c.product_name,
                c.starts_on,
                c.ends_on,
                c.get_status_display(),
                c.member_count,
                c.interested,
                c.converted,
                round(100 * c.converted / c.member_count, 1) if c.member_count else 0,
                c.activity_count,
                str(c.owner),
            ]
            for c in rows.iterator(chunk_size=500)
        )
        return table_download(fmt, _("campaigns-report"), _("Campaigns"), header, data)
    return render(request, "reports/campaigns.html", {"page": paginate(request, rows, per_page=100)})
