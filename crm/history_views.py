"""The History tab of people, companies, campaigns, opportunities and service orders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm import access, history
from crm.pagination import paginate

# kind in the URL -> (scoped queryset for a user, may an admin revert it)
KINDS = {
    "person": (access.people, True, gettext_lazy("People"), "people:list"),
    "company": (access.companies, True, gettext_lazy("Companies"), "companies:list"),
    "campaign": (access.campaigns, False, gettext_lazy("Campaigns"), "campaigns:list"),
    "opportunity": (access.opportunities, False, gettext_lazy("Opportunities"), "opportunities:list"),
    "serviceorder": (access.service_orders, False, gettext_lazy("Service orders"), "serviceorders:list"),
    "basecard": (access.base_cards, False, gettext_lazy("Boards"), "opportunities:boards"),
    "team": (access.team_settings, False, gettext_lazy("Team settings"), "crm:team_settings"),
}
PER_PAGE = 25


def _record(user, kind: str, pk: int):
    if kind not in KINDS:
        raise Http404
    return access.get_or_404(KINDS[kind][0](user), pk=pk)


@login_required
def record_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = _record(request.user, kind, pk)
    events = obj.history.select_related("pgh_context").order_by("-pgh_id")
    page = paginate(request, events, per_page=PER_PAGE)
    start = page.start_index() - 1 if page.paginator.count else 0
    # One event more than the page: the oldest change on the page is compared with it.
    window = list(events[start : start + PER_PAGE + 1])
    _scope, revertible, section, section_url = KINDS[kind]
    return render(
        request,
        "crm/history.html",
        {
            "obj": obj,
            "kind": kind,
            "page": page,
            "versions": history.versions(obj, window, PER_PAGE),
            "may_revert": revertible and access.is_admin(request.user),
            "section": section,
            "section_url": section_url,
        },
    )


@access.admin_required
@require_POST
def record_revert(request: HttpRequest, kind: str, pk: int, event: int) -> HttpResponse:
    if kind not in KINDS or not KINDS[kind][1]:
        raise Http404
    obj = _record(request.user, kind, pk)
    try:
        history.revert(obj, event)
    except history.RevertError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(record)s is back as it was in that version.") % {"record": obj})
    return redirect("crm:history", kind=kind, pk=obj.pk)
