"""State changes of companies and of people's positions in them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities import notifications
from companies.models import Company, Membership
from crm import access
from crm.countries import fold
from crm.models import User
from crm.taxids import TAX_ID_NAMES
from crm.validation import full_clean
from crm.versioning import check_version
from people.models import Person
from people.services import person_create

COMPANY_FIELDS = (
    "name",
    "tax_id",
    "country",
    "address",
    "city",
    "phone",
    "website",
    "industry",
    "owner",
    "notes",
)


def _tax_id_taken_error(country: str) -> ValidationError:
    name = TAX_ID_NAMES.get(country, _("tax id"))
    return ValidationError(
        {"tax_id": _("A company with this %(name)s is already registered.") % {"name": name}}
    )


def check_tax_id_free(*, country: str, tax_id: str, exclude_pk: int | None = None) -> None:
    """Refuse a tax id another company of the country has (the database
    constraint is the last word; this gives the message next to the field)."""
    if not tax_id:
        return
    clash = Company.objects.filter(country=country, tax_id=tax_id, discarded_at=None)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise _tax_id_taken_error(country)


def _save(company: Company) -> Company:
    check_tax_id_free(country=company.country, tax_id=company.tax_id, exclude_pk=company.pk)
    full_clean(company, exclude=["search"])
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        # Two people registering the same tax id at the same moment.
        raise ValidationError(
            {
                "tax_id": _("A company with this %(name)s is already registered.")
                % {"name": company.tax_id_label}
            }
        ) from None
    return company


@transaction.atomic
def company_create(*, by: User, **fields: Any) -> Company:
    return _save(Company(**fields))


@transaction.atomic
def companies_reassign(*, ids, to: User, by: User) -> dict[int, int]:
    """Give companies to ``to`` (their history records who); returns {pk: previous owner id}."""
    previous = dict(Company.objects.filter(pk__in=list(ids)).exclude(owner=to).values_list("pk", "owner_id"))
    Company.objects.filter(pk__in=previous).update(owner=to, updated_at=timezone.now())
    notifications.given(
        to=to,
        by=by,
        ids=previous,
        model=Company,
        several=lambda count: (
            ngettext("%(name)s gave you %(count)s company", "%(name)s gave you %(count)s companies", count)
            % {"name": by, "count": count}
        ),
        list_url=reverse("companies:list"),
    )
    return previous


@transaction.atomic
def company_update(*, company: Company, by: User, version: str | None = None, **fields: Any) -> Company:
    locked = Company.objects.select_for_update().get(pk=company.pk)
    check_version(locked, version)
    for name, value in fields.items():
        if name not in COMPANY_FIELDS and name != "custom":
            raise ValueError(f"{name} is not editable")
        setattr(locked, name, value)
    return _save(locked)


@transaction.atomic
def membership_add(*, person: Person, company: Company, area: str = "", position: str = "") -> Membership:
    """Place a person in a company, or update their area and position there."""
    membership, _created = Membership.objects.update_or_create(
        person=person, company=company, defaults={"area": area.strip(), "position": position.strip()}
    )
    return membership


@transaction.atomic
def people_place(*, placements: list[tuple[int, str, str, str, str]], user: User, owner: User) -> None:
    """Positions of many people at once in companies named by name (an import).
    ``placements``: (person id, company name, country, area, position). A name the user
    cannot find among the companies they see becomes a company of ``owner`` (in the
    country of the first row naming it); a position already held is updated."""
    if not placements:
        return
    names: dict[str, tuple[str, str]] = {}  # folded name -> (name as first written, first country given)
    for _pk, name, country, _area, _position in placements:
        first_name, first_country = names.get(fold(name), (name, ""))
        names[fold(name)] = (first_name, first_country or country)
    known: dict[str, int] = {}
    for pk, name in (
        access.companies(user)
        .annotate(key=Lower("name"))
        .filter(key__in={name.lower() for name, _country in names.values()})
        .values_list("pk", "name")
    ):
        known.setdefault(fold(name), pk)
    missing = [
        Company(name=name, owner=owner, country=country or "OT")
        for key, (name, country) in names.items()
        if key not in known
    ]
    for company in Company.objects.bulk_create(missing):
        known[fold(company.name)] = company.pk
    Membership.objects.bulk_create(
        [
            Membership(person_id=pk, company_id=known[fold(name)], area=area, position=position)
            for pk, name, _country, area, position in placements
        ],
        update_conflicts=True,
        unique_fields=["person", "company"],
        update_fields=["area", "position"],
    )


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership.delete()


@transaction.atomic
def company_person_create(
    *, by: User, company: Company, area: str = "", position: str = "", tags=(), **fields: Any
) -> Person:
    """A new person who works at ``company``: both rows or neither."""
    person = person_create(by=by, tags=tags, **fields)
    membership_add(person=person, company=company, area=area, position=position)
    return person


@transaction.atomic
def company_restore(*, company: Company, by: User) -> Company:
    """A merged (discarded) company back in the lists, as it was; refused while
    another company of its country has its tax id."""
    locked = Company.objects.select_for_update().get(pk=company.pk)
    if locked.discarded_at is None:
        raise ValidationError(_("This company is not discarded."))
    check_tax_id_free(country=locked.country, tax_id=locked.tax_id, exclude_pk=locked.pk)
    locked.discarded_at, locked.discarded_by, locked.discard_reason = None, None, ""
    locked.save(update_fields=["discarded_at", "discarded_by", "discard_reason", "updated_at"])
    return locked
