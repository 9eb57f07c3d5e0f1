"""People lists as spreadsheets: People, Discarded and a tag's people."""

from __future__ import annotations

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.countries import COUNTRIES
from crm.custom_fields import export_columns
from crm.exports import Column, ExportSource, register
from crm.fields import key_expression
from people.filters import PersonFilter, search_people
from people.models import Person, Tag


def _with_lists(queryset):
    """Tags and companies as text, one subquery each (no row multiplication)."""
    through = Person.tags.through
    tags = (
        through.objects.filter(person_id=OuterRef("pk"))
        .values("person_id")
        .annotate(names=StringAgg("tag__name", ", ", order_by="tag__name"))
        .values("names")
    )
    companies = (
        Person._meta.get_field("memberships")
        .related_model.objects.filter(person_id=OuterRef("pk"))
        .values("person_id")
        .annotate(names=StringAgg("company__name", ", ", order_by="company__name"))
        .values("names")
    )
    return queryset.annotate(
        key=key_expression("C"), tag_names=Subquery(tags), company_names=Subquery(companies)
    )


def _columns() -> list[Column]:
    return [
        Column(_("First name"), "first_name"),
        Column(_("Last name"), "last_name"),
        Column(_("Email"), "email"),
        Column(_("Phone"), "phone"),
        Column(_("Mobile"), "mobile"),
        Column(_("City"), "city"),
        Column(_("Country"), "country", dict(COUNTRIES)),
        Column(_("How did you find us"), "source", dict(Person.Source.choices)),
        Column(_("Stage"), "stage", dict(Person.Stage.choices)),
        Column(_("Owner"), "owner__name"),
        Column(_("Tags"), "tag_names"),
        Column(_("Companies"), "company_names"),
        Column(_("Created"), "created_at"),
        Column(_("Key"), "key"),
        *export_columns("people"),
    ]


def _discarded_columns() -> list[Column]:
    return [
        *_columns(),
        Column(_("Discarded by"), "discarded_by__name"),
        Column(_("When"), "discarded_at"),
        Column(_("Reason"), "discard_reason"),
    ]


def _people(user, params):
    return _with_lists(PersonFilter(params, queryset=access.people(user), user=user).qs)


def _discarded(user, params):
    queryset = search_people(access.discarded_people(user), params.get("q", ""))
    return _with_lists(queryset.order_by("-discarded_at", "-id"))


def _tag(user, params):
    tag = Tag.objects.filter(pk=params.get("tag") or 0).first()
    if tag is None or not access.tags(user).filter(pk=tag.pk).exists():
        return Person.objects.none()
    return _with_lists(access.people(user).filter(tags=tag).order_by("last_name", "first_name", "id"))


register(ExportSource("people", _("People"), "people.export_person", _columns, _people))
register(ExportSource("discarded", _("Discarded"), "people.export_person", _discarded_columns, _discarded))
register(ExportSource("tag", _("Tag"), "people.export_person", _columns, _tag))
