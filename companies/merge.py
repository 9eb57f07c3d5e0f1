"""Companies in the merge of duplicates (crm.merge)."""

from __future__ import annotations

from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy

from companies.services import COMPANY_FIELDS
from crm import access, merge

COMPANIES = merge.register(
    merge.Kind(
        slug="companies",
        label=gettext_lazy("Companies"),
        model_path="companies.Company",
        fields=COMPANY_FIELDS,
        scope=access.companies,
        activity_field="company",
        keep=("companies.CompanyHistory",),
        keys={"tax_id": "tax_id", "phone": "phone", "name": Upper("name")},
        list_url="companies:list",
        autocomplete="companies:autocomplete",
    )
)
