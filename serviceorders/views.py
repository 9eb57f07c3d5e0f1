from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities import timeline
from activities.models import Activity
from crm import access, bounds
from crm.exports import csv_response, export_response, write_xlsx
from crm.pagination import paginate
from crm.routers import reads_from_replica
from serviceorders import selectors, services
from serviceorders.filters import RANKED, OrderFilter
from serviceorders.forms import EntryForm, OrderForm, ProjectForm, ReopenForm, VerifyForm
from serviceorders.models import ServiceOrder


def _order_for(user, number: int) -> ServiceOrder:
    queryset = access.service_orders(user).select_related(
        "company", "contact", "project", "assignee", "category", "created_by"
    )
    return access.get_or_404(queryset, number=number)


def _projects(user):
    return access.projects(user).select_related("company", "owner", "contact")


def _project_for(user, key: int):
    return access.get_or_404(_projects(user), key=key)


def _report_name(extension: str) -> str:
    """The report's file name in the user's language (informe-de-ordenes-de-servicio.xlsx)."""
    name = _("service-order-report")
    return f"{slugify(name)}.{extension}"


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """The general query, and the concept search (a word or phrase)."""
    filterset = OrderFilter(request.GET, queryset=access.service_orders(request.user), user=request.user)
    queryset = filterset.qs.select_related("company", "contact", "assignee", "project")
    page = paginate(request, queryset)
    template = "serviceorders/list.html#rows" if request.htmx else "serviceorders/list.html"
    # A concept search ranks the RANKED most recent matches: say so when it reached them.
    capped = bool(filterset.form.cleaned_data.get("q")) and page.paginator.count >= RANKED
    return render(request, template, {"filter": filterset, "page": page, "capped": capped, "ranked": RANKED})


@login_required
@require_GET
def order_go(request: HttpRequest) -> HttpResponse:
    """The number box in the navigation: straight to one order."""
    raw = request.GET.get("number", "").strip().lstrip("#")
    if raw.isdigit() and access.service_orders(request.user).filter(number=int(raw)).exists():
        return redirect("serviceorders:detail", int(raw))
    messages.error(request, _("No order number %(number)s that you may see.") % {"number": raw[:20]})
    return redirect("serviceorders:list")


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    """A new order, on its own or from an activity (?activity=) that left
    something pending."""
    activity = None
    activity_id = request.GET.get("activity") or request.POST.get("activity")
    if activity_id and str(activity_id).isdigit():
        activity = (
            access.activities(request.user).select_related("person", "company").filter(pk=activity_id).first()
        )
    initial = {}
    project_id = bounds.record_id(request.GET.get("project"))
    project = access.projects(request.user).filter(pk=project_id).first() if project_id else None
    if project is not None:  # "New order" from a project's page
        initial = {"project": project.pk, "company": project.company_id, "contact": project.contact_id}
    if activity is not None:
        initial = {"company": activity.company_id, "contact": activity.person_id, "category": activity.category_id,
                   "detail": "\n".join(filter(None, [activity.subject, activity.detail]))}  # fmt: skip
        if activity.company_id is None and activity.person_id:
            membership = activity.person.memberships.first()
            initial["company"] = membership.company_id if membership else None
    form = OrderForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(by=request.user, activity=activity, **form.service_order_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Service order %(number)s created.") % {"number": order})
            return redirect(order)
    return render(
        request,
        "serviceorders/form.html",
        {"form": form, "activity": activity, "title": _("New service order")},
    )


@login_required
def order_edit(request: HttpRequest, number: int) -> HttpResponse:
    order = _order_for(request.user, number)
    form = OrderForm(request.POST or None, instance=order, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.saved_by(
            lambda: services.order_update(
                order=order, by=request.user, version=form.version, **form.service_order_fields()
            )
        )
        if saved:
            messages.success(request, _("Service order %(number)s saved.") % {"number": saved})
            return redirect(saved)
    return render(
        request, "serviceorders/form.html", {"form": form, "order": order, "title": _("Edit service order")}
    )


@login_required
def order_detail(request: HttpRequest, number: int) -> HttpResponse:
    """The individual query: one order, its services and its timeline."""
    order = _order_for(request.user, number)
    activities = access.activities(request.user).filter(service_order=order)
    context = {
        "order": order,
        "entries": order.entries.select_related("author")[:200],
        "events": order.events.select_related("by")[:200],
        "timeline": timeline.build(
            activities=activities,
            events=order.events.select_related("by"),
            before=timeline.parse_before(request.GET.get("before")),
        ),
        "entry_form": EntryForm(),
        "verify_form": VerifyForm(),
        "reopen_form": ReopenForm(),
        "activity_kinds": Activity.Kind.choices,
    }
    return render(request, "serviceorders/detail.html", context)


@login_required
@require_POST
def entry_add(request: HttpRequest, number: int) -> HttpResponse:
    order = _order_for(request.user, number)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            services.entry_add(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Service registered."))
    else:
        messages.error(request, _("Describe the work done."))
    return redirect(order)


@login_required
@require_POST
def order_verify(request: HttpRequest, number: int) -> HttpResponse:
    order = _order_for(request.user, number)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            order = services.order_verify(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Order %(number)s: %(status)s.") % {"number": order, "status": order.get_status_display()},
            )
    else:
        messages.error(request, _("Check the verification: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(order)


@login_required
@require_POST
def order_reopen(request: HttpRequest, number: int) -> HttpResponse:
    order = _order_for(request.user, number)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.order_reopen(order=order, by=request.user, comments=form.cleaned_data["comments"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Order reopened."))
    else:
        messages.error(request, _("Write the customer's comments."))
    return redirect(order)


@login_required
@require_GET
def order_export(request: HttpRequest) -> HttpResponse:
    return export_response(request, "service_orders")


# Projects ---------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = access.projects(request.user).select_related("company", "owner")
    term = request.GET.get("q", "").strip()
    if term:
        projects = projects.filter(Q(name__icontains=term) | Q(company__name__icontains=term))
    return render(
        request,
        "serviceorders/projects.html",
        {"page": paginate(request, projects.order_by("-key")), "q": term},
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Project %(project)s created.") % {"project": project})
            return redirect(project)
    return render(request, "serviceorders/project_form.html", {"form": form, "title": _("New project")})


@login_required
def project_edit(request: HttpRequest, key: int) -> HttpResponse:
    # Assignees of its orders read a project; its owner changes it.
    project = access.get_for_change(request.user, _projects(request.user), key=key)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(
                project=_project_for(request.user, key), by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Project saved."))
            return redirect(project)
    return render(
        request,
        "serviceorders/project_form.html",
        {"form": form, "project": project, "title": _("Edit project")},
    )


@login_required
def project_detail(request: HttpRequest, key: int) -> HttpResponse:
    """A project with its pending and completed orders."""
    project = _project_for(request.user, key)
    orders = access.service_orders(request.user).filter(project=project).select_related("assignee")
    open_statuses = [ServiceOrder.Status.PENDING, ServiceOrder.Status.REOPENED]
    return render(
        request,
        "serviceorders/project.html",
        {
            "project": project,
            "may_change": access.may_change(request.user, project),
            "pending": orders.filter(status__in=open_statuses).order_by("-number")[:100],
            "completed": orders.exclude(status__in=open_statuses).order_by("-number")[:100],
        },
    )


# Reports --------------------------------------------------------------------------


@login_required
@reads_from_replica
def order_reports(request: HttpRequest) -> HttpResponse:
    """By status, assignee and client, with average rating and time to finish,
    over the filtered orders: on screen, printable, or as a spreadsheet."""
    filterset = OrderFilter(request.GET, queryset=access.service_orders(request.user), user=request.user)
    data = selectors.report(filterset.qs.order_by())
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _report_download(data, fmt)
    return render(
        request, "serviceorders/reports.html", {"filter": filterset, "report": data, "hours": selectors.hours}
    )


def _report_download(data: dict, fmt: str) -> HttpResponse:
    header = [
        _("Section"),
        _("Name"),
        _("Orders"),
        _("Open"),
        _("Average rating"),
        _("Average hours to finish"),
    ]
    rows = [[_("Status"), label, count, "", "", ""] for _value, label, count in data["statuses"]]
    for section, key, items in (
        (_("Assigned to"), "assignee__name", data["by_assignee"]),
        (_("Client"), "company__name", data["by_client"]),
    ):
        rows += [
            [
                section,
                item[key],
                item["orders"],
                item["open"],
                _round(item["rating"]),
                selectors.hours(item["time"]),
            ]
            for item in items
        ]
    totals = data["totals"]
    rows.append(
        [
            _("Total"),
            "",
            totals["orders"],
            totals["open"],
            _round(totals["rating"]),
            selectors.hours(totals["time"]),
        ]
    )
    if fmt == "csv":
        return csv_response(_report_name("csv"), header, rows)
    handle = tempfile.SpooledTemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, _("Service orders"), header, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=_report_name("xlsx"))


def _round(value):
    return round(float(value), 2) if value is not None else None
