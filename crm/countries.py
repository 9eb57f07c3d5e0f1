"""Countries the CRM's teams work with, and the normalisation of phone numbers."""

from __future__ import annotations

import functools
import unicodedata
from contextvars import ContextVar
from decimal import Decimal

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("AR", _("Argentina")),
    ("BO", _("Bolivia")),
    ("BR", _("Brazil")),
    ("CL", _("Chile")),
    ("CO", _("Colombia")),
    ("CR", _("Costa Rica")),
    ("CU", _("Cuba")),
    ("DO", _("Dominican Republic")),
    ("EC", _("Ecuador")),
    ("SV", _("El Salvador")),
    ("GT", _("Guatemala")),
    ("HN", _("Honduras")),
    ("MX", _("Mexico")),
    ("NI", _("Nicaragua")),
    ("PA", _("Panama")),
    ("PY", _("Paraguay")),
    ("PE", _("Peru")),
    ("PR", _("Puerto Rico")),
    ("UY", _("Uruguay")),
    ("VE", _("Venezuela")),
    ("ES", _("Spain")),
    ("PT", _("Portugal")),
    ("US", _("United States")),
    ("CA", _("Canada")),
    ("OT", _("Other")),
]

# The value-added tax a quote adds by default in each country (team settings start with it).
DEFAULT_TAX = {
    "PE": ("IGV", Decimal(18)),
    "MX": ("IVA", Decimal(16)),
    "CO": ("IVA", Decimal(19)),
    "CL": ("IVA", Decimal(19)),
    "AR": ("IVA", Decimal(21)),
    "EC": ("IVA", Decimal(15)),
    "BO": ("IVA", Decimal(13)),
    "UY": ("IVA", Decimal("22")),
    "PY": ("IVA", Decimal(10)),
    "BR": ("ISS", Decimal(5)),
}

# The currencies teams sell in (campaigns, opportunities, quotes, exchange rates).
CURRENCIES = [
    ("PEN", "PEN · Sol"),
    ("BRL", "BRL · Real"),
    ("MXN", "MXN · Peso mexicano"),
    ("COP", "COP · Peso colombiano"),
    ("CLP", "CLP · Peso chileno"),
    ("ARS", "ARS · Peso argentino"),
    ("USD", "USD · Dólar"),
    ("EUR", "EUR · Euro"),
]


# The country of the person using the CRM in this request (their own, else the team's): the
# middleware sets it. Numbers without a country code are read in it when the record names
# no country, and numbers of that country are shown in its national format.
_viewer_country: ContextVar[str] = ContextVar("viewer_country", default="")


def use_country(country: str):
    """Make ``country`` the viewer's country (returns the token to give back to reset)."""
    return _viewer_country.set(country)


def forget_country(token) -> None:
    """Give back the viewer's country :func:`use_country` replaced."""
    _viewer_country.reset(token)


def viewer_country() -> str:
    return _viewer_country.get()


def _region(countries) -> str | None:
    for country in (*countries, _viewer_country.get()):
        if country and country != "OT":
            return country
    return None


def phone_example(*countries: str) -> str:
    """A mobile number of the first usable country, as its people write it with its code."""
    region = _region(countries) or "PE"
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "+51 987 654 321"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_phone(raw: str, *countries: str) -> str:
    """A phone number in E.164 (+51987654321). A number without its country code is read in
    the first of ``countries`` given (the row's, the file's...), else in the viewer's
    country. Raises ValidationError when it is not a valid number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    region = _region(countries)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, for example %(example)s.")
            % {"example": phone_example(*countries)},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str, country: str = "") -> str:
    """How a stored number is shown: in the national format when it belongs to the viewer's
    country (``987 654 321`` in Peru, ``(21) 99876-5432`` in Brazil), else with its code
    (``+55 21 99876-5432``). ``country="OT"`` writes every number with its code (for text
    that is kept, read later by anyone)."""
    if not e164:
        return ""
    return _formatted_phone(e164, country or _viewer_country.get())


@functools.lru_cache(maxsize=8192)
def _formatted_phone(e164: str, viewer: str) -> str:
    # Parsing is the costly part of a list's rows (~40 µs a number): each number and viewer's
    # country is formatted once per process.
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if viewer and phonenumbers.region_code_for_number(number) == viewer:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ"
_PLAIN = "aaaaaaeeeeiiiiooooouuuucnAAAAAAEEEEIIIIOOOOOUUUUCN"
# The same folding, in SQL (translate()), for generated search columns.
SQL_ACCENTED, SQL_PLAIN = _ACCENTED, _PLAIN


def fold(text: str) -> str:
    """Lower case without accents: what searches compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
