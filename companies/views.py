from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities import timeline
from activities.models import Activity
from companies import services
from companies.filters import CompanyFilter, search_companies
from companies.forms import CompanyForm, MembershipForm
from companies.models import Membership
from crm import access, history
from crm.exports import export_response
from crm.pagination import paginate
from crm.redirects import back
from people import services as people_services
from people.forms import PersonForm


def _company_for(user, pk: int):
    return access.get_or_404(access.companies(user).select_related("owner"), pk=pk)


@login_required
def company_list(request: HttpRequest) -> HttpResponse:
    filterset = CompanyFilter(request.GET, queryset=access.companies(request.user), user=request.user)
    # Counted for the rows of the page only (a subquery each), not grouped over every
    # company in the filters before the first 25 are taken.
    visible = (
        Membership.objects.filter(company=OuterRef("pk"), person__in=access.people(request.user))
        .order_by()
        .values("company")
        .annotate(n=Count("*"))
        .values("n")
    )
    queryset = (
        filterset.qs.select_related("owner")
        .annotate(person_count=Coalesce(Subquery(visible), 0))
        .order_by("name", "id")
    )
    page = paginate(request, queryset, keys_first=True)
    template = "companies/list.html#rows" if request.htmx else "companies/list.html"
    return render(request, template, {"filter": filterset, "page": page})


def _save_company(request, form: CompanyForm, company=None) -> HttpResponse | None:
    if company is None:
        company = form.saved_by(lambda: services.company_create(by=request.user, **form.company_fields()))
    else:
        company = form.saved_by(
            lambda: services.company_update(
                company=company, by=request.user, version=form.version, **form.company_fields()
            )
        )
    if company is None:
        return None
    messages.success(request, _("%(name)s saved.") % {"name": company})
    return redirect(company)


@login_required
def company_create(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (response := _save_company(request, form)):
        return response
    return render(request, "companies/form.html", {"form": form, "title": _("New company")})


@login_required
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Agents whose people work there see a company; its owner changes it.
    company = access.get_for_change(
        request.user, access.companies(request.user).select_related("owner"), pk=pk
    )
    form = CompanyForm(request.POST or None, instance=company, user=request.user)
    if request.method == "POST" and form.is_valid() and (response := _save_company(request, form, company)):
        return response
    return render(
        request, "companies/form.html", {"form": form, "title": _("Edit company"), "company": company}
    )


@login_required
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request.user, pk)
    memberships = (
        access.memberships(request.user)
        .filter(company=company)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "id")
    )
    return render(
        request,
        "companies/detail.html",
        {
            "company": company,
            "may_change": access.may_change(request.user, company),
            "page": paginate(request, memberships, per_page=50),
            "membership_form": MembershipForm(user=request.user, initial={"company": company.pk}),
            "timeline": timeline.build(
                activities=access.activities(request.user).filter(company=company),
                created=history.creation(company),
                before=timeline.parse_before(request.GET.get("before")),
            ),
            "planned": access.reminders(request.user)
            .filter(company=company)
            .select_related("owner")
            .order_by("due_at")[:20],
            "activity_kinds": Activity.Kind.choices,
            "opportunities": access.opportunities(request.user)
            .filter(company=company)
            .select_related("pipeline", "stage")
            .order_by("-created_at", "-id")[:10],
        },
    )


@login_required
def company_person_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new person straight into this company, with area and position; warns
    about a likely duplicate, including the same name in this company."""
    company = _company_for(request.user, pk)
    form = PersonForm(request.POST or None, user=request.user)
    area = request.POST.get("area", "").strip()[:100]
    position = request.POST.get("position", "").strip()[:100]
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = people_services.duplicate_warning(
            user=request.user,
            email=data["email"],
            phones=[data["phone"], data["mobile"]],
            first_name=data["first_name"],
            last_name=data["last_name"],
            company_id=company.pk,
        )
        if duplicates is None or data["confirm_duplicate"]:
            person = services.company_person_create(
                by=request.user,
                company=company,
                area=area,
                position=position,
                tags=data["tags"],
                stage=data["stage"],
                **form.person_fields(),
            )
            messages.success(
                request, _("Person added to %(company)s: %(name)s.") % {"name": person, "company": company}
            )
            return redirect(company)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "title": _("New person at %(company)s") % {"company": company},
            "company": company,
            "area": area,
            "position": position,
        },
    )


@login_required
@require_POST
def membership_add(request: HttpRequest) -> HttpResponse:
    form = MembershipForm(request.POST, user=request.user)
    if form.is_valid():
        membership = services.membership_add(
            person=form.cleaned_data["person"],
            company=form.cleaned_data["company"],
            area=form.cleaned_data["area"],
            position=form.cleaned_data["position"],
        )
        messages.success(
            request,
            _("%(name)s now works at %(company)s.")
            % {"name": membership.person, "company": membership.company},
        )
        return back(request, membership.company)
    errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
    messages.error(request, _("The position was not saved: %(errors)s") % {"errors": errors})
    return back(request, "companies:list")


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access.get_or_404(
        access.memberships(request.user).select_related("person", "company"), pk=pk
    )
    services.membership_remove(membership=membership)
    messages.success(
        request,
        _("%(name)s no longer appears at %(company)s.")
        % {"name": membership.person, "company": membership.company},
    )
    return back(request, membership.company)


@login_required
@require_GET
def company_autocomplete(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("term", "").strip()
    results = []
    if term:
        results = list(search_companies(access.companies(request.user), term).order_by("name", "id")[:10])
        for company in results:
            company.autocomplete_hint = company.tax_id_display
    return render(request, "widgets/autocomplete_results.html", {"results": results, "term": term})


@login_required
@require_GET
def company_export(request: HttpRequest) -> HttpResponse:
    return export_response(request, "companies")


@access.admin_required
def discarded_list(request: HttpRequest) -> HttpResponse:
    """Companies merged into others, newest first; administrators restore them."""
    queryset = access.discarded_companies(request.user).select_related("discarded_by")
    page = paginate(request, queryset.order_by("-discarded_at", "-id"))
    return render(request, "companies/discarded.html", {"page": page})


@access.admin_required
@require_POST
def company_restore(request: HttpRequest, pk: int) -> HttpResponse:
    company = access.get_or_404(access.discarded_companies(request.user), pk=pk)
    try:
        services.company_restore(company=company, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("companies:discarded")
    messages.success(request, _("%(name)s is back in Companies.") % {"name": company})
    return redirect(company)
