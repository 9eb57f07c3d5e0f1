"""Automation rules in the browser (administrators): the list in the order they run, the
builder, a rule's page with its runs and "Test this rule"."""

from __future__ import annotations

import datetime
import json

from django.apps import apps
from django.contrib import messages
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Activity
from automations import engine, services
from automations.forms import (
    ACTION_USES,
    ActionFormSet,
    ConditionFormSet,
    RuleForm,
    described,
    initial_actions,
    initial_conditions,
    value_pickers,
)
from automations.models import Rule
from crm import access, bounds
from crm.pagination import paginate

# "Test this rule" looks at the records of the last 30 days, at most this many.
TEST_DAYS = 30
TEST_LIMIT = 5000


@access.admin_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = access.automation_rules(request.user).select_related("created_by").order_by("position", "id")
    return render(request, "automations/list.html", {"page": paginate(request, rules, per_page=50)})


@access.admin_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = access.get_or_404(access.automation_rules(request.user), pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    form = RuleForm(data, instance=rule)
    conditions = ConditionFormSet(data, prefix="if", initial=initial_conditions(rule))
    actions = ActionFormSet(
        data, prefix="then", initial=initial_actions(rule), form_kwargs={"user": request.user}
    )
    if data is not None and form.is_valid() & conditions.is_valid() & actions.is_valid():
        subject = form.cleaned_data["trigger"].split(".", 1)[0]
        wanted = []
        for row in conditions:
            chosen = row.cleaned_data.get("field")
            if not chosen:
                continue
            field_subject, field = chosen.split(":", 1)
            if field_subject != subject:
                row.add_error("field", _("This field is not of the record the rule is about."))
                continue
            wanted.append(
                {"field": field, "op": row.cleaned_data["op"] or "eq", "value": row.cleaned_data["value"]}
            )
        if not any(row.errors for row in conditions):
            rule = services.rule_save(
                rule=rule,
                by=request.user,
                conditions=wanted,
                actions=actions.as_actions(),
                **form.cleaned_data,
            )
            messages.success(request, _("Automation saved."))
            return redirect(rule)
    context = {
        "form": form,
        "conditions": conditions,
        "actions": actions,
        "rule": rule,
        "pickers": value_pickers(request.user),
        "uses_json": json.dumps(ACTION_USES),
    }
    return render(request, "automations/form.html", context, status=400 if data is not None else 200)


@access.admin_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_or_404(access.automation_rules(request.user), pk=pk)
    runs = paginate(request, rule.runs.order_by("-at", "-id"))
    context = {"rule": rule, "page": runs, "described": described(rule)}
    if request.GET.get("test"):
        context["test"] = _test(request.user, rule, request.GET.get("record"))
    return render(request, "automations/detail.html", context)


# The records a rule is about, as the administrator sees them.
SCOPES = {
    "person": access.people,
    "opportunity": access.opportunities,
    "order": access.service_orders,
    "reminder": access.activities,
}


def _test(user, rule: Rule, record_id) -> dict:
    """How many records the rule would have matched over the last 30 days, and a dry run on
    one record (nothing is done)."""
    scoped = SCOPES[rule.trigger.split(".", 1)[0]](user)
    since = timezone.now() - datetime.timedelta(days=TEST_DAYS)
    ids = _candidates(rule, since)
    records = scoped.filter(pk__in=ids)
    if any(c.get("field") == "tags" for c in rule.conditions):
        records = records.prefetch_related("tags")  # one query per 500 records, not one each
    considered = matched = 0
    for record in records.iterator(chunk_size=500):
        if not engine.confirmed(rule.trigger, record):
            continue
        considered += 1
        matched += engine.matches(rule, record)
    result = {"considered": considered, "matched": matched, "days": TEST_DAYS, "cut": len(ids) >= TEST_LIMIT}
    pk = bounds.record_id(record_id)
    if record_id:
        record = scoped.filter(pk=pk).first() if pk else None
        result["record"] = record
        result["record_id"] = str(record_id)[:20]
        if record is not None:
            result["dry"] = engine.matches(rule, record)
    return result


def _candidates(rule: Rule, since) -> list[int]:
    """The records the rule's trigger fired for since ``since`` (at most TEST_LIMIT): those
    whose event was recorded, for idle cards those that went idle, for overdue reminders those
    that became overdue, for answers the people who answered."""
    trigger = rule.trigger
    if trigger == Rule.Trigger.CARD_STAGNANT:
        Stage = apps.get_model("opportunities.Stage")
        ids: list[int] = []
        for stage_id, days in Stage.objects.filter(stagnant_days__gt=0).values_list("pk", "stagnant_days"):
            cards = engine.idle_cards(stage_id, days, since, timezone.now())
            ids += cards.values_list("pk", flat=True)[: TEST_LIMIT - len(ids)]
        return ids
    if trigger == Rule.Trigger.REMINDER_OVERDUE:
        late = datetime.timedelta(hours=rule.hours or 0)
        # Those done since count too if they were still open when they became overdue.
        return list(
            Activity.objects.filter(due_at__gt=since - late, due_at__lte=timezone.now() - late)
            .filter(Q(done_at=None) | Q(done_at__gt=F("due_at") + late))
            .order_by("due_at")
            .values_list("pk", flat=True)[:TEST_LIMIT]
        )
    if trigger == Rule.Trigger.ANSWERED:
        return list(
            Activity.objects.filter(
                received=True, kind="email", done_at__gte=since, in_reply_to__isnull=False
            )
            .order_by()
            .values_list("person_id", flat=True)
            .distinct()[:TEST_LIMIT]
        )
    label, kind = engine.EVENT_OF[trigger]
    event_model = apps.get_model(label)
    return list(
        event_model.objects.filter(kind=kind, at__gte=since)
        .order_by()
        .values_list(f"{event_model.record_field}_id", flat=True)
        .distinct()[:TEST_LIMIT]
    )


@access.admin_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_or_404(access.automation_rules(request.user), pk=pk)
    services.rule_set_active(rule=rule, active=not rule.active)
    messages.success(request, _("Automation switched off.") if rule.active else _("Automation switched on."))
    return redirect("automations:list")


@access.admin_required
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_or_404(access.automation_rules(request.user), pk=pk)
    services.rule_move(rule=rule, step=-1 if request.POST.get("step") == "up" else 1)
    return redirect("automations:list")


@access.admin_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_or_404(access.automation_rules(request.user), pk=pk)
    services.rule_delete(rule=rule)
    messages.success(request, _("Automation deleted."))
    return redirect("automations:list")
