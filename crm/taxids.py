"""Tax identification numbers per country: RUC (Peru), CNPJ (Brazil), RFC
(Mexico), NIT (Colombia) and RUT (Chile), with their check digits.

:func:`normalize_tax_id` returns the canonical stored form (digits and letters
only, upper case) or raises ``ValidationError``; other countries keep free text.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TAX_ID_NAMES = {
    "PE": "RUC",
    "BR": "CNPJ",
    "MX": "RFC",
    "CO": "NIT",
    "CL": "RUT",
}


def _invalid(country: str) -> ValidationError:
    return ValidationError(
        _("This is not a valid %(name)s: check the number and its check digit."),
        code="invalid_tax_id",
        params={"name": TAX_ID_NAMES[country]},
    )


def ruc_check_digit(first_ten: str) -> str:
    weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    remainder = 11 - sum(int(d) * w for d, w in zip(first_ten, weights, strict=True)) % 11
    return str({10: 0, 11: 1}.get(remainder, remainder))


def _ruc(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 11 or digits[:2] not in {"10", "15", "16", "17", "20"}:
        raise _invalid("PE")
    if ruc_check_digit(digits[:10]) != digits[10]:
        raise _invalid("PE")
    return digits


def cnpj_check_digits(body: str) -> str:
    # Since 2026 a CNPJ may carry letters in its first 12 positions; each
    # character counts as its code point minus 48, so digits count as before.
    def digit(chars: str) -> str:
        weights = list(range(len(chars) - 7, 1, -1)) + list(range(9, 1, -1))
        total = sum((ord(c) - 48) * w for c, w in zip(chars, weights, strict=True))
        remainder = total % 11
        return "0" if remainder < 2 else str(11 - remainder)

    first = digit(body)
    return first + digit(body + first)


def _cnpj(value: str) -> str:
    chars = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if not re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", chars) or len(set(chars)) == 1:
        raise _invalid("BR")
    if cnpj_check_digits(chars[:12]) != chars[12:]:
        raise _invalid("BR")
    return chars


_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"


def rfc_check_digit(first_chars: str) -> str:
    """The RFC's last character from its first 11 (company) or 12 (person)."""
    padded = first_chars.rjust(12)
    total = sum(_RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    remainder = 11 - total % 11
    return {11: "0", 10: "A"}.get(remainder, str(remainder))


def _rfc(value: str) -> str:
    chars = re.sub(r"[\s\-]", "", value).upper()
    match = re.fullmatch(r"([A-ZÑ&]{3,4})(\d{2})(\d{2})(\d{2})([A-Z0-9]{2})([0-9A])", chars)
    if not match:
        raise _invalid("MX")
    _, yy, mm, dd, _, check = match.groups()
    try:
        date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        raise _invalid("MX") from None
    if rfc_check_digit(chars[:-1]) != check:
        raise _invalid("MX")
    return chars


def nit_check_digit(body: str) -> int:
    weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
    total = sum(int(d) * w for d, w in zip(reversed(body), weights, strict=False))
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def _nit(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if not 8 <= len(digits) <= 16:
        raise _invalid("CO")
    body, check = digits[:-1], int(digits[-1])
    if nit_check_digit(body) != check:
        raise _invalid("CO")
    return digits


def rut_check_digit(body: str) -> str:
    total = 0
    factors = [2, 3, 4, 5, 6, 7]
    for i, d in enumerate(reversed(body)):
        total += int(d) * factors[i % 6]
    remainder = 11 - total % 11
    return {11: "0", 10: "K"}.get(remainder, str(remainder))


def _rut(value: str) -> str:
    chars = re.sub(r"[^0-9Kk]", "", value).upper()
    if not 8 <= len(chars) <= 9 or not chars[:-1].isdigit():
        raise _invalid("CL")
    if rut_check_digit(chars[:-1]) != chars[-1]:
        raise _invalid("CL")
    return chars


_VALIDATORS = {"PE": _ruc, "BR": _cnpj, "MX": _rfc, "CO": _nit, "CL": _rut}


def normalize_tax_id(value: str, country: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    validator = _VALIDATORS.get(country)
    if validator is None:
        return " ".join(value.split())[:32]
    return validator(value)


def tax_id_name(country: str) -> str:
    """What the tax id is called in ``country`` (RUC, CNPJ...)."""
    return TAX_ID_NAMES.get(country) or str(_("Tax id"))


def labelled_tax_id(value: str, country: str) -> str:
    """A tax id as a document prints it: ``RUC 20100070970``, ``CNPJ 11.222.333/0001-81``."""
    return f"{tax_id_name(country)} {format_tax_id(value, country)}" if value else ""


def format_tax_id(value: str, country: str) -> str:
    """How a stored tax id is written on paper."""
    if country == "BR" and len(value) == 14:
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    if country == "CO" and value:
        return f"{value[:-1]}-{value[-1]}"
    if country == "CL" and value:
        body = f"{int(value[:-1]):,}".replace(",", ".")
        return f"{body}-{value[-1]}"
    return value
