"""The Companies list's bulk actions (crm.bulk): give to."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext

from companies import services
from crm import access, bulk

COMPANIES = bulk.register(
    bulk.ListKind(
        "companies",
        gettext_lazy("companies"),
        "companies.Company",
        access.companies,
        "companies.filters.CompanyFilter",
        "companies:list",
        actions=[bulk.reassign_action(services.companies_reassign)],
        counted=lambda n: ngettext("%(count)s company", "%(count)s companies", n) % {"count": n},
    )
)
