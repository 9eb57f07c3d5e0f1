"""The Team settings page: administrators keep the team's data and defaults (crm.team)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm import access, services, team
from crm.forms import TeamSettingsForm


@access.admin_required
def team_settings(request: HttpRequest) -> HttpResponse:
    current = team.current()
    form = TeamSettingsForm(request.POST or None, request.FILES or None, instance=team.load())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo = data.pop("logo", None)
        try:
            services.team_settings_save(by=request.user, logo=logo, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Team settings saved."))
            return redirect("crm:team_settings")
    return render(request, "crm/team_settings.html", {"form": form, "team": current})


@login_required
def team_logo(request: HttpRequest) -> FileResponse:
    """The team's logo (media files are not served by themselves)."""
    current = team.current()
    if not current.logo:
        raise Http404
    try:
        handle = current.logo.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=300"
    return response
