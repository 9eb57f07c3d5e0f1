"""Pages of the catalog, opportunity lines, quotes and prospect conversion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities.forms import EmailForm
from crm import access
from crm.countries import viewer_country
from crm.pagination import paginate
from opportunities import quote_document, sales
from opportunities.forms import ConvertForm, LineForm, ProductForm, QuoteForm, QuoteStatusForm
from opportunities.pdf import quote_pdf
from opportunities.views import _changeable_opportunity


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    products = access.products(request.user)
    term = request.GET.get("q", "").strip()
    if term:
        products = products.filter(Q(code__icontains=term) | Q(name__icontains=term))
    if request.GET.get("all") != "1":
        products = products.filter(active=True)
    return render(
        request,
        "opportunities/catalog.html",
        {"page": paginate(request, products.order_by("name", "id"), per_page=50), "q": term},
    )


@access.admin_required
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = sales.product_save(**form.cleaned_data)
        messages.success(request, _("%(product)s added to the catalog.") % {"product": product})
        return redirect("catalog:list")
    return render(request, "opportunities/product_form.html", {"form": form, "title": _("New product")})


@access.admin_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = access.get_or_404(access.products(request.user), pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        sales.product_save(
            product=access.get_or_404(access.products(request.user), pk=pk), **form.cleaned_data
        )
        messages.success(request, _("Product saved."))
        return redirect("catalog:list")
    return render(
        request,
        "opportunities/product_form.html",
        {"form": form, "title": _("Edit product"), "product": product},
    )


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _changeable_opportunity(request.user, pk)
    form = LineForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            sales.line_add(opportunity=opportunity, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("The line was not added: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(opportunity)


@login_required
@require_POST
def line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    opportunity = _changeable_opportunity(request.user, pk)
    line = access.get_or_404(opportunity.lines.all(), pk=line_pk)
    sales.line_remove(line=line, by=request.user)
    return redirect(opportunity)


@login_required
@require_POST
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _changeable_opportunity(request.user, pk)
    form = QuoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The quote was not made: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(opportunity)
    try:
        quote = sales.quote_create(opportunity=opportunity, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(opportunity)
    messages.success(request, _("Quote %(quote)s made.") % {"quote": quote})
    return redirect(quote)


def _quote_for(user, pk: int):
    queryset = access.quotes(user).select_related(
        "opportunity__company", "opportunity__contact", "created_by"
    )
    return access.get_or_404(queryset, pk=pk)


@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    quotes = access.quotes(request.user).select_related(
        "opportunity__company", "opportunity__contact", "created_by"
    )
    status = request.GET.get("status", "")
    if status:
        quotes = quotes.filter(status=status)
    return render(
        request,
        "opportunities/quotes.html",
        {
            "page": paginate(request, quotes.order_by("-number")),
            "status": status,
            "statuses": QuoteStatusForm().fields["status"].choices,
        },
    )


@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote as a clean A4 page (print it, or download the PDF)."""
    quote = _quote_for(request.user, pk)
    lines = list(quote.lines.all())
    return render(
        request,
        "opportunities/quote.html",
        {"quote": quote, "doc": quote_document.build(quote, lines), "status_form": QuoteStatusForm()},
    )


@login_required
@require_GET
def quote_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote_for(request.user, pk)
    response = HttpResponse(
        quote_pdf(quote_document.build(quote, list(quote.lines.all()))), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{quote}.pdf"'
    return response


@login_required
@require_POST
def quote_status(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote_for(request.user, pk)
    if not access.may_change(request.user, quote.opportunity):
        raise PermissionDenied
    form = QuoteStatusForm(request.POST)
    if form.is_valid():
        sales.quote_set_status(quote=quote, by=request.user, status=form.cleaned_data["status"])
        messages.success(
            request,
            _("Quote %(quote)s: %(status)s.") % {"quote": quote, "status": quote.get_status_display()},
        )
    return redirect(quote)


@login_required
def quote_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the quote with its PDF to the card's contact (a composer, prefilled)."""
    quote = _quote_for(request.user, pk)
    if not access.may_change(request.user, quote.opportunity):
        raise PermissionDenied
    form = EmailForm(request.POST or None, initial=sales.quote_email_draft(quote, request.user))
    if request.method == "POST" and form.is_valid():
        try:
            sales.quote_email(
                quote=quote,
                by=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                cc=form.cleaned_data["cc"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Quote %(quote)s queued for %(email)s.")
                % {"quote": quote, "email": quote.opportunity.contact.email},
            )
            return redirect(quote)
    return render(request, "opportunities/quote_email.html", {"quote": quote, "form": form})


@login_required
def person_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a prospect (seed 001): company, stage and an opportunity in one step."""
    person = access.get_or_404(access.people(request.user), pk=pk)
    form = ConvertForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_company = None
        if data["new_company_name"]:
            new_company = {
                "name": " ".join(data["new_company_name"].split()),
                "country": data["new_company_country"] or viewer_country(),
                "tax_id": data["new_company_tax_id"],
            }
        try:
            _company, opportunity = sales.person_convert(
                person=person,
                by=request.user,
                stage=data["stage"],
                company=data["company"],
                new_company=new_company,
                area=data["area"],
                position=data["position"],
                pipeline=data["pipeline"],
                subject=data["subject"],
                amount=data["amount"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Person converted: %(name)s.") % {"name": person})
            return redirect(opportunity or person)
    return render(request, "opportunities/convert.html", {"form": form, "person": person})
