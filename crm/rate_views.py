"""Administrators keep the exchange rates (crm.currency)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import access, locales, services
from crm.currency import Rates, base_currency
from crm.forms import RateForm
from crm.pagination import paginate


def _page(request: HttpRequest, form: RateForm) -> HttpResponse:
    rates = access.exchange_rates(request.user).select_related("created_by").order_by("-on", "currency")
    return render(
        request,
        "crm/exchange_rates.html",
        {
            "form": form,
            "page": paginate(request, rates, per_page=50),
            "base": base_currency(),
            "current": sorted(Rates.on_date(request.user).table.values(), key=lambda u: u.currency),
        },
    )


@access.admin_required
def rate_list(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rate = services.exchange_rate_save(by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("From %(on)s, 1 %(currency)s = %(rate)s %(base)s.")
            % {
                "on": date_format(rate.on, "SHORT_DATE_FORMAT"),
                "currency": rate.currency,
                "rate": locales.number(rate.rate, 6, trim=True),
                "base": base_currency(),
            },
        )
        return redirect("crm:exchange_rates")
    return _page(request, form)


@access.admin_required
@require_POST
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = access.get_or_404(access.exchange_rates(request.user), pk=pk)
    services.exchange_rate_delete(rate=rate, by=request.user)
    messages.success(request, _("Rate deleted."))
    return redirect("crm:exchange_rates")
