"""Lead forms: the public page and snippet target, and their administration."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from campaigns import leads
from campaigns.forms import LeadFormSettings
from campaigns.models import LeadForm
from crm import access
from crm.clientip import client_ip
from crm.pagination import paginate


@csrf_exempt  # posted from other websites: it creates a prospect and nothing else
@xframe_options_exempt
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    lead_form = LeadForm.objects.filter(token=token, active=True).select_related("default_owner").first()
    if lead_form is None:
        raise Http404
    form = leads.PublicLeadForm(request.POST or None, lead_form=lead_form)
    done = False
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        if leads.too_many(ip):
            return render(
                request, "campaigns/lead_public.html", {"lead_form": lead_form, "limited": True}, status=429
            )
        if form.is_valid():
            leads.lead_submit(lead_form=lead_form, data=form.cleaned_data, ip=ip)
            done = True
        else:
            status = 400
    return render(
        request,
        "campaigns/lead_public.html",
        {"lead_form": lead_form, "form": form, "done": done},
        status=status,
    )


@access.admin_required
def leadform_list(request: HttpRequest) -> HttpResponse:
    forms_page = paginate(
        request,
        access.lead_forms(request.user).select_related("campaign", "default_owner").order_by("name", "id"),
    )
    return render(request, "campaigns/leadforms.html", {"page": forms_page})


@access.admin_required
def leadform_create(request: HttpRequest) -> HttpResponse:
    return _leadform_edit(request, LeadForm(default_owner=request.user))


@access.admin_required
def leadform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _leadform_edit(request, access.get_or_404(access.lead_forms(request.user), pk=pk))


def _leadform_edit(request: HttpRequest, lead_form: LeadForm) -> HttpResponse:
    form = LeadFormSettings(request.POST or None, instance=lead_form, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead_form = form.save()
        messages.success(request, _("Lead form saved."))
        return redirect("campaigns:leadform_edit", lead_form.pk)
    public_url = (
        request.build_absolute_uri(reverse("public_lead_form", args=[lead_form.token]))
        if lead_form.pk
        else ""
    )
    return render(
        request,
        "campaigns/leadform_form.html",
        {"form": form, "lead_form": lead_form, "public_url": public_url, "fields": lead_form.fields},
    )
