"""Countries the CRM's teams work with, and the normalisation of phone numbers."""

from __future__ import annotations

import unicodedata

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

DEFAULT_PHONE_REGION = "PE"


def normalize_phone(raw: str, country: str = "") -> str:
    """A phone number in E.164 (+51987654321), read in the person's country when
    it has no international prefix. Raises ValidationError when it is not a
    possible number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    region = country if country and country != "OT" else DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a valid phone number, for example +51 987 654 321."), code="invalid_phone"
        ) from None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, for example +51 987 654 321."), code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """How a stored number is shown: +51 987 654 321."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ"
_PLAIN = "aaaaaaeeeeiiiiooooouuuucnAAAAAAEEEEIIIIOOOOOUUUUCN"
# The same folding, in SQL (translate()), for generated search columns.
SQL_ACCENTED, SQL_PLAIN = _ACCENTED, _PLAIN


def fold(text: str) -> str:
    """Lower case without accents: what searches compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
