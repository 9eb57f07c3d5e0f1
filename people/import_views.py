"""The Imports module: upload, check the columns, preview, import, history."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm import access, importing
from crm.pagination import paginate
from people import services
from people.forms import ImportForm, MappingForm
from people.models import ImportJob


def import_permission_required(view):
    """Signed in (else sign-in page) and allowed to import (else 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.may_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _job_for(user, pk: int) -> ImportJob:
    return access.get_or_404(access.imports(user).select_related("created_by"), pk=pk)


@import_permission_required
def import_start(
    request: HttpRequest, kind: str = ImportJob.Kind.PEOPLE, extra_options: dict | None = None
) -> HttpResponse:
    """Upload a file of people (or, from the Companies module, of companies).
    ``extra_options`` come from the module that starts it (a campaign)."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = importing.start_job(
                user=request.user,
                upload=data["file"],
                owner=data.get("owner"),
                stage=data.get("stage") or "prospect",
                tags=list(data.get("tags") or []),
                kind=kind,
                country=data.get("country") or "",
                extra_options={**(extra_options or {}), "consent": list(data.get("consent") or [])},
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(job)
    return render(
        request, "people/imports/start.html", {"form": form, "kind": kind, "extra": extra_options or {}}
    )


@import_permission_required
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = access.imports(request.user).select_related("created_by").order_by("-created_at", "-id")
    return render(request, "people/imports/list.html", {"page": paginate(request, jobs)})


def _mapping_form(job: ImportJob, data=None) -> MappingForm:
    importer = importing.IMPORTERS[job.kind]
    return MappingForm(
        data,
        headers=job.headers,
        mapping=job.mapping,
        choices=importing.field_choices(importer.fields),
        required=importer.required,
        required_message=importer.required_message,
    )


@import_permission_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every step of one import; while it runs, htmx polls the status part."""
    job = _job_for(request.user, pk)
    context = {"job": job, "mapping_form": _mapping_form(job) if job.status == job.Status.UPLOADED else None}
    template = "people/imports/detail.html#status" if request.htmx else "people/imports/detail.html"
    return render(request, template, context)


@import_permission_required
@require_POST
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the column mapping and start the dry run."""
    job = _job_for(request.user, pk)
    form = _mapping_form(job, request.POST)
    valid = form.is_valid()
    if not valid and job.status in (job.Status.UPLOADED, job.Status.PREVIEWED):
        job.status = job.Status.UPLOADED  # shown again with the mapping form, not saved
        return render(request, "people/imports/detail.html", {"job": job, "mapping_form": form})
    try:
        services.import_job_preview(job=job, mapping=form.cleaned_data["mapping"] if valid else job.mapping)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job)


@import_permission_required
@require_POST
def import_remap(request: HttpRequest, pk: int) -> HttpResponse:
    """Back from the preview to the columns."""
    job = services.import_job_remap(job=_job_for(request.user, pk))
    return redirect(job)


@import_permission_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The user saw the preview: import for real, in the background."""
    job = _job_for(request.user, pk)
    try:
        services.import_job_confirm(job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job)


@import_permission_required
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows in error, with a reason column, ready to fix and import again."""
    job = _job_for(request.user, pk)
    if not job.error_report:
        raise Http404
    return FileResponse(
        job.error_report.open("rb"),
        as_attachment=True,
        filename=f"errors-{job.original_name.rsplit('.', 1)[0]}.csv",
    )
