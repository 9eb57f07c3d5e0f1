"""Bounds every input meets before it reaches the database, in one place.

Dates and datetimes lie between 1900 and 2100: a year 9999 typed in Lima is the
year 10000 in UTC, which PostgreSQL stores but Python can no longer read, so
every page loading the row would fail. Forms, filters, the API (through the
forms), imports and exchange rates use the fields and checks below; a code
rule (crm/tests/test_code_hygiene.py) finds any date field that does not.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

YEAR_MIN, YEAR_MAX = 1900, 2100
# A note, a comment, a service entry or an activity's detail.
LONG_TEXT_MAX = 20_000
DATE_MESSAGE = _("Enter a date between %(min)s and %(max)s.")


def check_date(value: datetime.date | datetime.datetime | None) -> None:
    """Refuse a date (or datetime, in the user's time zone) outside 1900 to 2100."""
    if value is None:
        return
    year = value.year
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        year = timezone.localtime(value).year
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(DATE_MESSAGE, code="date_range", params={"min": YEAR_MIN, "max": YEAR_MAX})


class DateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        check_date(value)
        return value


class DateTimeField(forms.DateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        check_date(value)
        return value


class DateFilter(django_filters.DateFilter):
    field_class = DateField


def formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    """``Meta.formfield_callback`` of the ModelForms: their dates and long texts bounded."""
    if isinstance(model_field, models.TextField):
        kwargs.setdefault("max_length", LONG_TEXT_MAX)
    elif isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(model_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)


def decimal_fits(value: Decimal, *, max_digits: int, decimal_places: int) -> bool:
    """Whether ``value`` fits a ``numeric(max_digits, decimal_places)`` column once rounded."""
    try:
        rounded = value.quantize(Decimal(1).scaleb(-decimal_places))
    except InvalidOperation:
        return False
    return rounded.is_finite() and abs(rounded) < Decimal(10) ** (max_digits - decimal_places)


BIGINT_MAX = 2**63 - 1


def chosen(request, name: str, queryset):
    """The record a page is written for (``?template=``, ``?campaign=``..., or the same
    posted), among ``queryset`` (those the user may use); None for anything else."""
    pk = record_id(request.POST.get(name) or request.GET.get(name))
    return queryset.filter(pk=pk).first() if pk else None


def record_id(value) -> int | None:
    """An id from a query string or form (``?pipeline=12``): a number a bigint
    column holds, else None (so a lookup finds nothing instead of failing)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= BIGINT_MAX else None
