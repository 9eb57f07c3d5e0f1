"""Importing companies, through the import machinery of people.importing:
the same upload, column check, preview, background import and error report.

A row matches a company by its tax id in its country, else by its name (any
case); a company the importer may not see is left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.functions import Upper
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies import services
from companies.models import Company
from crm import access, team
from crm.countries import COUNTRIES, fold, normalize_phone
from crm.custom_fields import definitions, parse
from crm.importing import Importer, Row, choice_lookup, register, with_custom_fields
from crm.models import User
from crm.taxids import normalize_tax_id
from people.models import ImportJob
from people.signals import imported as people_imported

FIELDS: dict[str, tuple[Any, list[str]]] = {
    "name": (
        gettext_lazy("Name"),
        ["empresa", "nombre", "razon social", "company", "name", "company name", "nome", "razao social"],
    ),
    "tax_id": (
        gettext_lazy("Tax id"),
        ["ruc", "cnpj", "rfc", "nit", "rut", "tax id", "vat", "identificacion tributaria", "cuit"],
    ),
    "country": (gettext_lazy("Country"), ["pais", "country"]),
    "address": (gettext_lazy("Address"), ["direccion", "domicilio", "address", "endereco"]),
    "city": (gettext_lazy("City"), ["ciudad", "city", "cidade", "localidad"]),
    "phone": (gettext_lazy("Phone"), ["telefono", "phone", "telefone", "fono"]),
    "website": (gettext_lazy("Website"), ["web", "sitio web", "pagina web", "website", "site", "url"]),
    "industry": (gettext_lazy("Industry"), ["rubro", "industria", "sector", "industry", "setor", "ramo"]),
    "notes": (gettext_lazy("Notes"), ["notas", "observaciones", "notes", "observacoes"]),
}
COLUMNS = ["name", "tax_id", "country", "address", "city", "phone", "website", "industry", "notes"]
LIMITS = {"name": 200, "address": 300, "city": 100, "industry": 100}


class CompanyImporter(Importer):
    kind = ImportJob.Kind.COMPANIES
    required = ("name",)

    @property
    def fields(self) -> dict[str, tuple[Any, list[str]]]:
        return with_custom_fields(FIELDS, "companies")

    required_message = gettext_lazy("Choose the column with the company name.")

    def state(self, job: ImportJob) -> dict:
        user = job.created_by
        owner = User.objects.filter(pk=job.options.get("owner"), is_active=True).first() or user
        if not access.assignable_users(user).filter(pk=owner.pk).exists():
            owner = user
        return {
            "user": user,
            "owner": owner,
            "country": job.options.get("country") or job.created_by.country or team.current().country,
            "mapping": job.mapping,
            "countries": choice_lookup(COUNTRIES, {"brasil": "BR", "mexico": "MX", "peru": "PE"}),
            "seen": {},
            "url": URLValidator(),
            "custom": {f"cf:{d.key}": d for d in definitions("companies")},
        }

    def clean(self, chunk: list[Row], state: dict) -> None:
        for row in chunk:
            self._clean(row, state)

    def match(self, chunk: list[Row], state: dict) -> None:
        self._match([r for r in chunk if r.action != "error"], state)

    def _clean(self, row: Row, state: dict) -> None:
        data = {
            name: row.raw[i] if i < len(row.raw) else "" for i, name in enumerate(state["mapping"]) if name
        }
        values: dict[str, Any] = {
            k: " ".join(v.split())
            for k, v in data.items()
            if k != "notes" and not k.startswith("cf:") and v.strip()
        }
        if data.get("notes", "").strip():
            values["notes"] = data["notes"].strip()
        try:
            if not values.get("name"):
                raise ValidationError(_("The name is missing."))
            for name, limit in LIMITS.items():
                if len(values.get(name, "")) > limit:
                    raise ValidationError(
                        _("%(field)s is longer than %(limit)s characters.")
                        % {"field": FIELDS[name][0], "limit": limit}
                    )
            country = state["country"]
            if values.get("country"):
                country = state["countries"].get(fold(values["country"]))
                if country is None:
                    raise ValidationError(_("Unknown country: %(value)s") % {"value": values["country"]})
            values["country"] = country
            if values.get("tax_id"):
                values["tax_id"] = normalize_tax_id(values["tax_id"], country)
            if values.get("phone"):
                try:
                    values["phone"] = normalize_phone(values["phone"], country)
                except ValidationError:
                    raise ValidationError(
                        _("Invalid phone: %(value)s") % {"value": values["phone"]}
                    ) from None
            if values.get("website"):
                website = values["website"]
                if "://" not in website:
                    website = "https://" + website
                try:
                    state["url"](website)
                except ValidationError:
                    raise ValidationError(
                        _("Invalid website: %(value)s") % {"value": values["website"]}
                    ) from None
                values["website"] = website
            for name, definition in state["custom"].items():
                if data.get(name, "").strip():
                    values.setdefault("custom", {})[definition.key] = parse(definition, data[name])
        except ValidationError as error:
            row.action, row.reason = "error", " ".join(error.messages)
            return
        row.values = values

    def _match(self, rows: list[Row], state: dict) -> None:
        seen = state["seen"]
        fresh = []
        for row in rows:
            keys = [f"name:{row.values['name'].upper()}"]
            if row.values.get("tax_id"):
                keys.append(f"tax:{row.values['country']}:{row.values['tax_id']}")
            first = next((seen[k] for k in keys if k in seen), None)
            if first is not None:
                row.action, row.reason = (
                    "skip",
                    _("Same company as line %(line)s of the file.") % {"line": first},
                )
                continue
            seen.update(dict.fromkeys(keys, row.line))
            fresh.append(row)
        tax_ids = {r.values["tax_id"] for r in fresh if r.values.get("tax_id")}
        names = {r.values["name"].upper() for r in fresh}
        existing = list(
            Company.objects.filter(discarded_at=None)
            .annotate(name_ci=Upper("name"))
            .filter(tax_id__in=tax_ids)
            .union(
                Company.objects.filter(discarded_at=None)
                .annotate(name_ci=Upper("name"))
                .filter(name_ci__in=names)
            )
        )
        by_tax = {(c.country, c.tax_id): c for c in existing if c.tax_id}
        by_name = {c.name.upper(): c for c in existing}
        # Updated only where the importer may change the company (seen through a person is not enough).
        visible = set(
            access.changeable(state["user"], access.companies(state["user"]))
            .filter(pk__in=[c.pk for c in existing])
            .values_list("pk", flat=True)
        )
        for row in fresh:
            values = row.values
            company = (
                by_tax.get((values["country"], values.get("tax_id", ""))) if values.get("tax_id") else None
            )
            company = company or by_name.get(values["name"].upper())
            if company is None:
                row.action = "new"
                continue
            row.record_id = company.pk
            if company.pk not in visible:
                row.action, row.reason = "skip", _("Already in the CRM, owned by another user.")
                continue
            row.changed = [c for c in COLUMNS if values.get(c) and values[c] != getattr(company, c)]
            if any(company.custom.get(k) != v for k, v in values.get("custom", {}).items()):
                row.changed.append("custom")
            if row.changed:
                row.action = "update"
            else:
                row.action, row.reason = "skip", _("Already in the CRM, unchanged.")

    def write(self, chunk: list[Row], state: dict) -> None:
        new = [
            Company(
                owner=state["owner"],
                custom=r.values.get("custom", {}),
                **{c: r.values.get(c, "") for c in COLUMNS},
            )
            for r in chunk
            if r.action == "new"
        ]
        Company.objects.bulk_create(new, batch_size=1000)
        updates = [r for r in chunk if r.action == "update"]
        if updates:
            companies = Company.objects.in_bulk([r.record_id for r in updates])
            now = timezone.now()
            for row in updates:
                company = companies[row.record_id]
                for name in row.changed:
                    if name == "custom":
                        company.custom = {**company.custom, **row.values["custom"]}
                    else:
                        setattr(company, name, row.values[name])
                company.updated_at = now
            Company.objects.bulk_update(
                list(companies.values()), [*COLUMNS, "custom", "updated_at"], batch_size=1000
            )


register(CompanyImporter())


@receiver(people_imported, dispatch_uid="companies.place_imported_people")
def place_imported_people(sender, *, user: User, owner: User, rows: list[Row], **kwargs) -> None:
    """People imported with a company column take their positions in those companies."""
    services.people_place(
        placements=[
            (
                row.record_id,
                row.values["company"],
                row.values.get("country", ""),
                row.values.get("area", ""),
                row.values.get("position", ""),
            )
            for row in rows
            if row.values.get("company")
        ],
        user=user,
        owner=owner,
    )
