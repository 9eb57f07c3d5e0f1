"""Custom fields: administrators add fields to people, companies and
opportunities (text, number, date, choice, yes/no).

Values live in each record's ``custom`` JSON column, keyed by the field's key:
text and choices as strings, numbers as JSON numbers, dates as ISO strings
(which sort like dates), yes/no as booleans. A GIN index (jsonb_path_ops) on the
column serves the lists' equality filters (``custom @> {"key": value}``).
Forms, detail pages, list filters, import and export all read the definitions
from here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext as _

from crm import bounds
from crm.models import CustomField

PREFIX = "cf_"


def definitions(model: str) -> list[CustomField]:
    """The active fields of ``model`` (people, companies, opportunities), in order."""
    return list(CustomField.objects.filter(model=model, active=True).order_by("position", "id"))


def form_field(definition: CustomField, initial: Any = None) -> forms.Field:
    # Form templates print help texts as markup: an administrator's text is escaped first.
    common = {
        "label": definition.name,
        "required": definition.required,
        "help_text": escape(definition.help_text),
    }
    kind = definition.type
    if kind == CustomField.Type.NUMBER:
        field = forms.DecimalField(**common, max_digits=18, decimal_places=4)
    elif kind == CustomField.Type.DATE:
        field = bounds.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    elif kind == CustomField.Type.CHOICE:
        field = forms.ChoiceField(**common, choices=[("", "—"), *((c, c) for c in definition.choice_list)])
    elif kind == CustomField.Type.YES_NO:
        field = forms.NullBooleanField(
            **{**common, "required": False},
            widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
        )
    else:
        field = forms.CharField(**common, max_length=500)
    field.initial = from_json(definition, initial)
    return field


def to_json(definition: CustomField, value: Any) -> Any:
    """A cleaned form value as stored; None for no value."""
    if value in (None, ""):
        return None
    if definition.type == CustomField.Type.NUMBER:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if definition.type == CustomField.Type.DATE:
        return value.isoformat()
    if definition.type == CustomField.Type.YES_NO:
        return bool(value)
    return str(value).strip() or None


def from_json(definition: CustomField, value: Any) -> Any:
    if value is None:
        return None
    if definition.type == CustomField.Type.DATE:
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if definition.type == CustomField.Type.NUMBER:
        return Decimal(str(value))
    return value


def parse(definition: CustomField, raw: str) -> Any:
    """A value from an imported file, as stored; ValidationError when it is not
    of the field's type."""
    raw = raw.strip()
    if not raw:
        return None
    kind = definition.type
    try:
        if kind == CustomField.Type.NUMBER:
            return to_json(definition, Decimal(raw.replace(" ", "").replace(",", ".")))
        if kind == CustomField.Type.DATE:
            for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
                try:
                    parsed = datetime.datetime.strptime(raw, fmt).date()
                except ValueError:
                    continue
                bounds.check_date(parsed)  # imported dates meet the forms' bounds
                return parsed.isoformat()
            raise ValueError
        if kind == CustomField.Type.YES_NO:
            folded = raw.lower()
            if folded in ("si", "sí", "sim", "yes", "true", "1", "x"):
                return True
            if folded in ("no", "não", "nao", "false", "0"):
                return False
            raise ValueError
        if kind == CustomField.Type.CHOICE:
            lookup = {c.lower(): c for c in definition.choice_list}
            if raw.lower() not in lookup:
                raise ValueError
            return lookup[raw.lower()]
    except (ValueError, InvalidOperation):
        raise ValidationError(
            _("%(field)s: “%(value)s” is not a valid %(type)s.")
            % {"field": definition.name, "value": raw[:50], "type": definition.get_type_display().lower()}
        ) from None
    return raw[:500]


def display(definition: CustomField, value: Any) -> str:
    value = from_json(definition, value)
    if value is None:
        return ""
    if definition.type == CustomField.Type.YES_NO:
        return _("Yes") if value else _("No")
    if definition.type in (CustomField.Type.DATE, CustomField.Type.NUMBER):
        return formats.localize(value)
    return str(value)


@dataclass
class Shown:
    label: str
    value: str


def shown(model: str, record) -> list[Shown]:
    """The record's custom values for its detail page (one query)."""
    values = getattr(record, "custom", None) or {}
    return [
        Shown(d.name, display(d, values.get(d.key)))
        for d in definitions(model)
        if values.get(d.key) not in (None, "")
    ]


class CustomFieldsFormMixin:
    """Adds a form field per active custom field (named cf_<key>) and gives back
    the ``custom`` value to save; values of fields since deactivated are kept."""

    custom_model = ""

    def setup_custom_fields(self) -> None:
        self.custom_definitions = definitions(self.custom_model)
        stored = getattr(self.instance, "custom", None) or {}
        for definition in self.custom_definitions:
            self.fields[PREFIX + definition.key] = form_field(definition, stored.get(definition.key))

    def custom_fields(self) -> list:
        return [self[PREFIX + d.key] for d in self.custom_definitions]

    def without_custom_fields(self, data: dict) -> dict:
        """``data`` without the cf_ form fields (a service takes ``custom``)."""
        return {name: value for name, value in data.items() if not name.startswith(PREFIX)}

    def custom_values(self) -> dict:
        values = dict(getattr(self.instance, "custom", None) or {})
        for definition in self.custom_definitions:
            stored = to_json(definition, self.cleaned_data.get(PREFIX + definition.key))
            if stored is None:
                values.pop(definition.key, None)
            else:
                values[definition.key] = stored
        return values


def add_filters(filterset: django_filters.FilterSet, model: str) -> None:
    """A filter per active custom field on a list's filters: equality for
    text, choice and yes/no (the GIN index), a range for numbers and dates."""
    filterset.custom_filter_names = []
    for definition in definitions(model):
        name = PREFIX + definition.key
        attrs = {"class": "form-control"}
        if definition.type in (CustomField.Type.NUMBER, CustomField.Type.DATE):
            widget_attrs = {**attrs, **({"type": "date"} if definition.type == CustomField.Type.DATE else {})}
            for suffix, lookup, label in (("_min", "gte", _("from")), ("_max", "lte", _("up to"))):
                field_class = (
                    bounds.DateFilter
                    if definition.type == CustomField.Type.DATE
                    else django_filters.NumberFilter
                )
                filterset.filters[name + suffix] = field_class(
                    label=f"{definition.name} ({label})",
                    method=_range(definition, lookup),
                    widget=(
                        forms.DateInput if definition.type == CustomField.Type.DATE else forms.NumberInput
                    )(attrs=widget_attrs),
                )
                filterset.custom_filter_names.append(name + suffix)
        else:
            if definition.type == CustomField.Type.CHOICE:
                choices = [(c, c) for c in definition.choice_list]
            elif definition.type == CustomField.Type.YES_NO:
                choices = [("true", _("Yes")), ("false", _("No"))]
            else:
                choices = None
            filterset.filters[name] = (
                django_filters.ChoiceFilter(
                    label=definition.name,
                    choices=choices,
                    empty_label=_("All"),
                    method=_equals(definition),
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
                if choices is not None
                else django_filters.CharFilter(
                    label=definition.name, method=_equals(definition), widget=forms.TextInput(attrs=attrs)
                )
            )
            filterset.custom_filter_names.append(name)


def _equals(definition: CustomField):
    def apply(queryset, name, value):
        if value in (None, ""):
            return queryset
        stored = value == "true" if definition.type == CustomField.Type.YES_NO else value.strip()
        return queryset.filter(custom__contains={definition.key: stored})

    return apply


def _range(definition: CustomField, lookup: str):
    def apply(queryset, name, value):
        if value in (None, ""):
            return queryset
        stored = to_json(definition, value)
        return queryset.filter(**{f"custom__{definition.key}__{lookup}": stored})

    return apply


def export_columns(model: str, path: str = "custom") -> list:
    """Export columns for the active custom fields (values as stored)."""
    from crm.exports import Column

    return [Column(d.name, f"{path}__{d.key}", kind=d.type) for d in definitions(model)]
