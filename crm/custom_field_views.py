"""Administrators' pages for custom fields (crm.custom_fields)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm import access
from crm.forms import CustomFieldForm
from crm.models import CustomField
from crm.pagination import paginate


@access.admin_required
def custom_field_list(request: HttpRequest) -> HttpResponse:
    page = paginate(
        request, access.custom_fields(request.user).order_by("model", "position", "id"), per_page=100
    )
    return render(request, "crm/custom_fields/list.html", {"page": page})


def _save(request: HttpRequest, instance: CustomField | None) -> HttpResponse:
    form = CustomFieldForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            field = form.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Custom field “%(name)s” saved.") % {"name": field.name})
            return redirect("crm:custom_fields")
    return render(request, "crm/custom_fields/form.html", {"form": form, "field": instance})


@access.admin_required
def custom_field_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@access.admin_required
def custom_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, access.get_or_404(access.custom_fields(request.user), pk=pk))
