"""People lists as spreadsheets: People, Discarded and a tag's people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm import access
from crm.countries import COUNTRIES
from crm.custom_fields import export_columns
from crm.exports import Column, ExportSource, Many, register
from crm.fields import key_expression
from people.filters import PersonFilter, search_people
from people.models import Person, Tag


def _with_key(queryset):
    return queryset.annotate(key=key_expression("C"))


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
        Column(_("Tags"), "tag_names", many=Many(Person.tags.through, "person_id", "tag__name")),
        Column(
            _("Companies"),
            "company_names",
            many=Many(Person._meta.get_field("memberships").related_model, "person_id", "company__name"),
        ),
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
    return _with_key(PersonFilter(params, queryset=access.people(user), user=user).qs)


def _discarded(user, params):
    queryset = search_people(access.discarded_people(user), params.get("q", ""))
    return _with_key(queryset.order_by("-discarded_at", "-id"))


def _tag(user, params):
    tag = Tag.objects.filter(pk=params.get("tag") or 0).first()
    if tag is None or not access.tags(user).filter(pk=tag.pk).exists():
        return Person.objects.none()
    return _with_key(access.people(user).filter(tags=tag).order_by("last_name", "first_name", "id"))


register(ExportSource("people", _("People"), "people.export_person", _columns, _people))
register(ExportSource("discarded", _("Discarded"), "people.export_person", _discarded_columns, _discarded))
register(ExportSource("tag", _("Tag"), "people.export_person", _columns, _tag))
