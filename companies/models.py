from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm import links, team
from crm.countries import COUNTRIES, format_phone
from crm.fields import CounterNumberField, key_of
from crm.history import tracked
from crm.taxids import format_tax_id, tax_id_name
from people.models import Person, search_document


@tracked("search", "number")
class Company(models.Model):
    # The team's companies catalog key, E-000045 (manual 003): consecutive, on creation.
    number = CounterNumberField(_("key"))
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default=team.country)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="companies",
        db_index=False,  # the first column of companies_owner_created_idx
    )
    notes = models.TextField(_("notes"), blank=True)
    # Merged into another company: out of every list until an administrator restores it.
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("discarded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A database default too: the benchmark's COPY names only the columns it fills.
    discard_reason = models.CharField(_("reason"), max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Values of the custom fields administrators add (crm.custom_fields).
    custom = models.JSONField(_("custom fields"), default=dict, blank=True, db_default={})
    search = models.GeneratedField(
        expression=search_document("name", "tax_id", "city", "industry"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "id"]
        permissions = [
            ("import_company", _("Can import companies")),
            ("export_company", _("Can export companies")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "tax_id"],
                condition=~Q(tax_id="") & Q(discarded_at=None),
                name="companies_tax_id_unique",
            )
        ]
        indexes = [
            GinIndex(fields=["search"], name="companies_search_gin"),
            GinIndex(fields=["custom"], name="companies_custom_gin", opclasses=["jsonb_path_ops"]),
            # The global search finds a company by its phone in any format.
            models.Index(fields=["phone"], name="companies_phone_idx", condition=~Q(phone="")),
            models.Index(Lower("name"), "id", name="companies_name_ci_idx"),
            # The Companies list's order, of the companies it shows.
            models.Index(fields=["name", "id"], name="companies_list_idx", condition=Q(discarded_at=None)),
            models.Index(fields=["owner", "name", "id"], name="companies_owner_name_idx"),
            models.Index(fields=["-created_at", "-id"], name="companies_created_idx"),
            # An agent's companies newest first (their list, the global search).
            models.Index(fields=["owner", "-created_at", "-id"], name="companies_owner_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.path("companies:detail", self.pk)

    @property
    def catalog_key(self) -> str:
        return key_of("E", self.number)

    @property
    def tax_id_label(self) -> str:
        return tax_id_name(self.country)

    @property
    def tax_id_display(self) -> str:
        return format_tax_id(self.tax_id, self.country)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)


class Membership(models.Model):
    """A person's area and position in a company."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,  # the first column of companies_membership_unique
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,  # the first column of companies_member_company_idx
    )
    area = models.CharField(_("area"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The person's owner while the person is not discarded (else NULL), kept by
    # PostgreSQL triggers (migration 0008), whatever writes the rows: forms, imports
    # by COPY, bulk changes, merges. An agent's companies are found through it.
    # Never set it from Python; an instance's value may be stale, the row's is not.
    person_owner_id = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["company__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "company"], name="companies_membership_unique")
        ]
        indexes = [
            models.Index(fields=["company", "person"], name="companies_member_company_idx"),
            models.Index(fields=["person_owner_id", "company"], name="companies_member_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.company}"
