"""Personal data in the browser (administrators): a person's access request (the ZIP the
worker writes, with progress), their erasure (confirmed by typing their name), and the page
with the erasure log, the access requests, who retention erases next and the export log."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from crm import access, personal_data, team
from crm.exports import SOURCES
from crm.models import ExportAudit
from crm.pagination import COUNT_LIMIT, paginate

LISTED = 50


@access.admin_required
@require_POST
def person_access_request(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_or_404(access.personal_data_subjects(request.user), pk=pk)
    entry = personal_data.access_request_start(person=person, by=request.user)
    return redirect("crm:access_request", pk=entry.pk)


@access.admin_required
def access_request(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_or_404(access.access_requests(request.user).select_related("person"), pk=pk)
    template = "crm/access_request.html#status" if request.htmx else "crm/access_request.html"
    return render(request, template, {"entry": entry})


@access.admin_required
@require_GET
def access_request_download(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_or_404(access.access_requests(request.user), pk=pk)
    if not entry.file:
        raise Http404
    return FileResponse(
        entry.file.open("rb"), as_attachment=True, filename=entry.file.name.rsplit("/", 1)[-1]
    )


class EraseForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Type the person's full name to confirm"), max_length=210)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_name(self) -> str:
        typed = " ".join(self.cleaned_data["name"].split())
        if typed.casefold() != self.person.full_name.casefold():
            raise forms.ValidationError(_("That is not the person's name: nothing was erased."))
        return typed


@access.admin_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_or_404(access.personal_data_subjects(request.user), pk=pk)
    form = EraseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        entry = personal_data.erase(person, by=request.user)
        messages.success(
            request,
            _("Person %(number)s was erased. The log keeps no personal data.")
            % {"number": entry.person_number},
        )
        return redirect("crm:privacy")
    return render(request, "crm/person_erase.html", {"person": person, "form": form})


@access.admin_required
def privacy(request: HttpRequest) -> HttpResponse:
    """The Personal data page: erasure log, access requests, retention, export log."""
    settings = team.current()
    month_ahead = timezone.localdate() + datetime.timedelta(days=31)
    due = personal_data.due_for_erasure(month_ahead).select_related("owner")
    inactive = personal_data.inactive_prospects().select_related("owner")
    tab = request.GET.get("tab", "erasures")
    pages = {
        "erasures": lambda: access.erasures(request.user).select_related("by").order_by("-at", "-id"),
        "requests": lambda: (
            access.access_requests(request.user).select_related("requested_by").order_by("-created_at", "-id")
        ),
        "exports": lambda: ExportAudit.objects.select_related("by").order_by("-at", "-id"),
    }
    tab = tab if tab in pages else "erasures"
    context = {
        "settings": settings,
        "tab": tab,
        "page": paginate(request, pages[tab](), per_page=50),
        "due": list(due[:LISTED]),
        # Counted up to the lists' limit: one bounded query each, whatever the data set.
        "due_count": due[: COUNT_LIMIT + 1].count(),
        "inactive": list(inactive[:LISTED]),
        "inactive_count": inactive[: COUNT_LIMIT + 1].count(),
        "count_limit": COUNT_LIMIT,
        # What each export log entry took out, in words (the code stays beside it).
        "what_labels": {
            **{name: source.title for name, source in SOURCES.items()},
            "api:people": _("People, through the API"),
        },
        "month_ahead": month_ahead,
    }
    return render(request, "crm/privacy.html", context)
