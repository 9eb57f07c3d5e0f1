"""The agenda (calendar) page, its JSON feed, moving and planning from it; the mention
suggestions of the typing boxes."""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from activities import agenda, mentions
from activities.forms import AgendaActivityForm
from activities.models import MAX_DURATION, MIN_DURATION
from crm import access, bounds, team
from crm.versioning import Stale


def _agents(request: HttpRequest) -> tuple[list, bool]:
    """The agents a page asks for (``?agents=3&agents=5``; ``?team=1`` the whole team), as
    the viewer may pick them: an agent always gets themself."""
    viewer = request.user
    if not access.sees_everything(viewer):
        return [viewer], False
    if request.GET.get("team") == "1":
        return [], True
    ids = [bounds.record_id(value) for value in request.GET.getlist("agents")[: agenda.MAX_AGENTS]]
    ids = [pk for pk in ids if pk]
    if not ids:
        return [viewer], False
    chosen = {user.pk: user for user in agenda.team_agents(viewer).filter(pk__in=ids)}
    return [chosen[pk] for pk in dict.fromkeys(ids) if pk in chosen] or [viewer], False


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    agents, whole_team = _agents(request)
    side_by_side = request.GET.get("layout") == "side" and len(agents) > 1
    settings = team.current()
    config = {
        "feed": reverse("activities:agenda_events"),
        "move": reverse("activities:agenda_move"),
        "newUrl": reverse("activities:agenda_new"),
        "locale": "pt-br" if request.LANGUAGE_CODE.startswith("pt") else request.LANGUAGE_CODE[:2],
        "firstDay": settings.week_start,
        "offsetMinutes": int(timezone.localtime().utcoffset().total_seconds() // 60),
        # Unless asked, a week (a phone: the week's list, which fits its width).
        "view": request.GET.get("view") if request.GET.get("view") in VIEWS else "",
        "date": _date_param(request.GET.get("date")),
        "calendars": (
            [{"agents": [agent.pk], "title": str(agent)} for agent in agents]
            if side_by_side
            else [{"agents": [agent.pk for agent in agents], "team": whole_team, "title": ""}]
        ),
        "showAgent": whole_team or len(agents) > 1,
    }
    return render(
        request,
        "activities/agenda.html",
        {
            "config": config,
            "agents": agents,
            "whole_team": whole_team,
            "side_by_side": side_by_side,
            "team_agents": agenda.team_agents(request.user) if access.sees_everything(request.user) else [],
            "form": AgendaActivityForm(user=request.user),
            "max_agents": agenda.MAX_AGENTS,
        },
    )


VIEWS = ("dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek")


def _date_param(value) -> str:
    """``?date=`` where the calendar opens (a day in 1900-2100), else ""."""
    try:
        day = datetime.date.fromisoformat((value or "")[:10])
    except ValueError:
        return ""
    return day.isoformat() if bounds.YEAR_MIN <= day.year <= bounds.YEAR_MAX else ""


@login_required
@require_GET
def agenda_events(request: HttpRequest) -> JsonResponse:
    """The events between ``start`` and ``end`` (at most ``agenda.MAX_RANGE``)."""
    agents, whole_team = _agents(request)
    start = agenda.parse_wall_clock(request.GET.get("start", ""))
    end = agenda.parse_wall_clock(request.GET.get("end", ""))
    try:
        found = agenda.events(request.user, None if whole_team else [a.pk for a in agents], start, end)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    response = JsonResponse(found, safe=False)
    response["Cache-Control"] = "private, no-store"
    if agenda.is_cut(found):
        response["X-Agenda-Notice"] = quote(_cut_notice())
    return response


@login_required
@require_POST
def agenda_move(request: HttpRequest) -> JsonResponse:
    """Reschedule one event (dragged or resized): ``source``, ``id``, ``start``, ``end``,
    ``version``. Refused: 409 (changed meanwhile) or 400 with the reason; the calendar puts
    the event back and shows it."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
    else:  # a plain form post says the same
        data = request.POST.dict()
    if not isinstance(data, dict):
        return JsonResponse({"error": _message("bad")}, status=400)
    source = agenda.SOURCES.get(str(data.get("source", "")))
    pk = bounds.record_id(data.get("id"))
    start = agenda.parse_wall_clock(str(data.get("start", "")))
    end = agenda.parse_wall_clock(str(data.get("end", ""))) if data.get("end") else None
    if source is None or pk is None:
        raise Http404
    if start is None or (data.get("end") and end is None):
        return JsonResponse({"error": _message("date")}, status=400)
    try:
        moved = source.move(request.user, pk, start, end, str(data.get("version", ""))[:64])
    except Stale as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    except PermissionDenied:
        return JsonResponse({"error": _message("denied")}, status=403)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"event": moved})


def _cut_notice() -> str:
    return ngettext(
        "More than %(count)s event in this range: the first %(count)s are shown. Choose fewer agents or a shorter view.",
        "More than %(count)s events in this range: the first %(count)s are shown. Choose fewer agents or a shorter view.",
        agenda.MAX_EVENTS,
    ) % {"count": number_format(agenda.MAX_EVENTS, force_grouping=True)}


def _message(reason: str) -> str:
    return {
        "bad": _("The calendar sent something unreadable. Reload the page."),
        "date": str(bounds.DATE_MESSAGE) % {"min": bounds.YEAR_MIN, "max": bounds.YEAR_MAX},
        "denied": _("You may see this, but only its agent or a manager may move it."),
    }[reason]


@login_required
def agenda_new(request: HttpRequest) -> HttpResponse:
    """Plan an activity from an empty slot (the calendar's dialog, htmx): the form again
    with its errors next to the fields, or an empty one and ``agendaChanged``."""
    form = AgendaActivityForm(request.POST or None, user=request.user, initial=_slot(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                form.plan(request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                response = render(
                    request,
                    "activities/agenda.html#new-form",
                    {"form": AgendaActivityForm(user=request.user)},
                )
                response["HX-Trigger"] = "agendaChanged"
                return response
        status = 400 if not request.htmx else 200
    return render(request, "activities/agenda.html#new-form", {"form": form}, status=status)


def _slot(request: HttpRequest) -> dict:
    start = agenda.parse_wall_clock(request.GET.get("start", ""))
    if start is None:
        return {}
    initial = {"due_at": timezone.localtime(start).replace(tzinfo=None)}
    end = agenda.parse_wall_clock(request.GET.get("end", ""))
    if end is not None and end > start:
        minutes = int((end - start).total_seconds() // 60)
        if MIN_DURATION <= minutes <= MAX_DURATION:
            initial["duration"] = minutes
    return initial


@login_required
@require_GET
def mention_suggestions(request: HttpRequest) -> JsonResponse:
    """Who the user may mention on a record (``?person=``, ``company``, ``opportunity``,
    ``service_order``; ``q``: what was typed after @): those who may see it."""
    about = {}
    for field in mentions.FIELDS:
        pk = bounds.record_id(request.GET.get(field))
        if pk is not None:
            about[field] = access.get_or_404(access.records(request.user, field), pk=pk)
    if not about:
        return JsonResponse([], safe=False)
    users = mentions.suggestions(by=request.user, about=about, term=request.GET.get("q", ""))
    return JsonResponse([{"username": user.username, "name": str(user)} for user in users], safe=False)
