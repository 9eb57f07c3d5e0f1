"""Goals in the browser: this period's goals with their progress (managers set them, an agent
reads their own), the forecast, and each user's goals on their home page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from crm import access
from crm.exports import Money, table_download
from crm.pagination import paginate
from crm.routers import reads_from_replica
from goals import forecast as forecasting
from goals import progress, services
from goals.forms import ForecastForm, GoalForm, MonthField
from goals.models import Goal, add_months, period_start


def _month(request: HttpRequest):
    """The month asked for (?month=2027-03), or this one."""
    try:
        return MonthField(required=False).clean(request.GET.get("month", "")[:7]) or None
    except ValidationError:
        return None


@login_required
@reads_from_replica
def goal_list(request: HttpRequest) -> HttpResponse:
    """The goals of a month and of its quarter, with how far each has come."""
    today = timezone.localdate()
    month = _month(request) or today.replace(day=1)
    quarter = period_start(month, Goal.Period.QUARTER)
    goals = (
        access.goals(request.user)
        .filter(
            Q(period=Goal.Period.MONTH, starts_on=month) | Q(period=Goal.Period.QUARTER, starts_on=quarter)
        )
        .select_related("agent")
        .order_by("agent__name", "agent_id", "-period", "metric", "activity_kind")
    )
    page = paginate(request, goals, per_page=100)
    context = {
        "page": page,
        "progress": progress.measure(page.object_list, request.user, today),
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "may_change": access.sees_everything(request.user),
    }
    return render(request, "goals/list.html", context)


@access.manager_required
def goal_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    goal = access.get_or_404(access.goals(request.user), pk=pk) if pk else None
    form = GoalForm(request.POST or None, instance=goal or Goal(), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.goal_save(goal=goal, by=request.user, **form.goal_fields())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Goal saved."))
            return redirect(f"{redirect('goals:list').url}?month={saved.starts_on:%Y-%m}")
    status = 400 if request.method == "POST" else 200
    return render(request, "goals/form.html", {"form": form, "goal": goal}, status=status)


@access.manager_required
@require_POST
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    goal = access.get_or_404(access.goals(request.user), pk=pk)
    services.goal_delete(goal=goal, by=request.user)
    messages.success(request, _("Goal deleted."))
    return redirect(f"{redirect('goals:list').url}?month={goal.starts_on:%Y-%m}")


def forecast_of(request: HttpRequest):
    """The forecast the query string asks for (an agent sees their own cards only)."""
    form = ForecastForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    agent = data.get("agent") if access.sees_everything(request.user) else request.user
    result = forecasting.forecast(
        request.user, months=data.get("months") or 6, board=data.get("pipeline"), agent=agent
    )
    return form, result


@login_required
@reads_from_replica
def forecast_view(request: HttpRequest) -> HttpResponse:
    form, result = forecast_of(request)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        base = result.rates.base
        header = [
            _("Period"), _("Open cards"), _("Won"), _("Committed"), _("Weighted"), _("Best case"), pgettext("sales", "Goal"),
            _("Gap to the goal"),
        ]  # fmt: skip
        rows = (
            [
                row.label,
                row.cards,
                Money(row.won, base),
                Money(row.committed, base),
                Money(row.weighted, base),
                Money(row.best, base),
                Money(row.goal, base) if row.goal is not None else "",
                Money(row.gap, base) if row.gap is not None else "",
            ]
            for row in [*result.rows, *result.quarters, result.total]
        )
        response = table_download(fmt, _("sales-forecast"), _("Forecast"), header, rows)
        if response is not None:
            return response
    context = {
        "form": form,
        "forecast": result,
        "summary": [*result.quarters, result.total],
        "chart": result.chart(),
    }
    return render(request, "goals/forecast.html", context)


def home_goals(request: HttpRequest) -> dict:
    """My goals of this month and quarter (a manager's: the team's too), on the home page."""
    user = request.user
    mine = Q(agent=user) | Q(agent__isnull=True) if access.sees_everything(user) else Q(agent=user)
    goals = progress.current(user).filter(mine)
    return {"goal_progress": progress.measure(goals[:12], user)}
