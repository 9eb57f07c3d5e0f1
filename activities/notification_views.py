"""The notifications inbox and the bell in the top bar."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from activities import notifications
from crm import access, bounds
from crm.pagination import paginate


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    queryset = access.notifications(request.user).select_related("actor")
    if only_unread:
        queryset = queryset.filter(read_at=None)
    page = paginate(request, queryset.order_by("-created_at", "-id"))
    return render(
        request,
        "activities/notifications.html",
        {"page": page, "only_unread": only_unread, "keep_days": notifications.KEEP_DAYS},
    )


@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with its count, refreshed by htmx without reloading the page. Signed out
    meanwhile (another tab, an expired session): 286, htmx's "stop polling", rather than the
    sign-in page drawn inside the top bar."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    return _bell(request)


STOP_POLLING = 286


def _bell(request: HttpRequest) -> HttpResponse:
    count = access.notifications(request.user).filter(read_at=None).count()
    response = render(
        request,
        "activities/_bell.html",
        {"unread": count, "poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and go to its record."""
    notification = access.get_or_404(access.notifications(request.user), pk=pk)
    notifications.mark_read(user=request.user, ids=[notification.pk])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("activities:notifications")
    return redirect(url)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one (``id``) or all of the user's notifications read."""
    pk = bounds.record_id(request.POST.get("id"))
    notifications.mark_read(user=request.user, ids=[pk] if pk else None)
    if request.htmx:
        return _bell(request)
    return redirect("activities:notifications")
