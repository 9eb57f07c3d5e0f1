"""The companies list as a spreadsheet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from companies.filters import CompanyFilter
from crm import access
from crm.countries import COUNTRIES
from crm.custom_fields import export_columns
from crm.exports import Column, ExportSource, register
from crm.fields import key_expression


def _columns() -> list[Column]:
    return [
        Column(_("Name"), "name"),
        Column(_("Tax id"), "tax_id"),
        Column(_("Country"), "country", dict(COUNTRIES)),
        Column(_("Address"), "address"),
        Column(_("City"), "city"),
        Column(_("Phone"), "phone"),
        Column(_("Website"), "website"),
        Column(_("Industry"), "industry"),
        Column(_("Owner"), "owner__name"),
        Column(_("Created"), "created_at"),
        Column(_("Key"), "key"),
        *export_columns("companies"),
    ]


def _companies(user, params):
    companies = CompanyFilter(params, queryset=access.companies(user), user=user).qs
    return companies.annotate(key=key_expression("E")).order_by("name", "id")


register(ExportSource("companies", _("Companies"), "companies.export_company", _columns, _companies))
