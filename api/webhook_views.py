"""Administrators register webhooks and read their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from api.forms import WebhookForm
from api.models import WebhookAttempt
from crm import access
from crm.pagination import paginate


@access.admin_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        webhook = form.save(commit=False)
        webhook.created_by = request.user
        webhook.save()
        messages.success(request, _("Webhook saved: it receives the events you chose from now on."))
        return redirect("api:webhook", webhook.pk)
    page = paginate(request, access.webhooks(request.user).order_by("-created_at", "-id"), per_page=50)
    return render(request, "api/webhooks.html", {"form": form, "page": page})


@access.admin_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = access.get_or_404(access.webhooks(request.user), pk=pk)
    form = WebhookForm(request.POST or None, instance=webhook)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Webhook saved."))
        return redirect("api:webhook", webhook.pk)
    deliveries = webhook.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id"))
    ).order_by("-created_at", "-id")
    return render(
        request,
        "api/webhook.html",
        {"webhook": webhook, "form": form, "page": paginate(request, deliveries, per_page=25)},
    )
