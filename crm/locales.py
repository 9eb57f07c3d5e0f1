"""How people write money, numbers and dates, by language and country: the one formatting
path of the CRM.

A user's locale is their language with their country (their own, else the team's):
``es-pe``, ``es-mx``, ``pt-br``, ``en``. The middleware activates it as Django's language,
so translations come from the language's catalog and dates, date inputs and number inputs
follow the country's format module (:mod:`crm.formats`, built from the same CLDR data);
money and numbers shown to people are written here with Babel (CLDR), from the active
locale, in pages, charts' tables, exports, PDFs and emails alike:
``S/ 1,250.50`` in Peru, ``R$ 1.250,50`` in Brazil, ``$1,250.50`` (MXN) in Mexico.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_precision, get_currency_symbol
from django.utils import translation

from crm.countries import COUNTRIES

# Countries whose Spanish has a format module of its own (crm/formats/es_XX).
SPANISH_COUNTRIES = frozenset(code for code, _name in COUNTRIES if code not in ("BR", "PT", "US", "CA", "OT"))
# The language a team of each country writes its quotes in, when it is not Spanish.
TEAM_LANGUAGES = {"BR": "pt-br", "PT": "pt-br", "US": "en", "CA": "en"}
NBSP = "\xa0"


def django_language(language: str, country: str) -> str:
    """The Django language code of a user's language in their country: ``es-pe``."""
    base = (language or "es").lower().split("-")[0]
    if base == "pt":
        return "pt-br"
    if base == "es" and country in SPANISH_COUNTRIES:
        return f"es-{country.lower()}"
    return base


def team_language(country: str) -> str:
    """The locale a team writes its own documents (quotes) in."""
    return django_language(TEAM_LANGUAGES.get(country, "es"), country)


@lru_cache(maxsize=64)
def _babel(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language or "es"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language.split("-")[0] if language else "es")


def active() -> Locale:
    """The Babel locale of the active language (``es_PE`` while ``es-pe`` is active)."""
    return _babel(translation.get_language() or "es")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def money(amount, currency: str, *, locale: Locale | None = None) -> str:
    """``S/ 1,250.50``: an amount with its currency as the locale writes it (the currency's
    own decimals: none for Chilean pesos)."""
    value = _decimal(amount)
    if value is None:
        return ""
    locale = locale or active()
    if get_currency_precision(currency) == 0 and value != value.to_integral_value():
        # A currency without cents (CLP, COP) shows the ones an amount has rather than hide them.
        text = format_currency(value, currency, locale=locale, currency_digits=False)
    else:
        text = format_currency(value, currency, locale=locale)
    # A currency written by its code keeps a space from the digits (PEN 1,250.50).
    return re.sub(r"^(-?)([A-Z]{2,3})(?=\d)", rf"\1\2{NBSP}", text)


def number(value, digits: int = 2, *, trim: bool = False, locale: Locale | None = None) -> str:
    """``1,250.50`` in Peru, ``1.250,50`` in Brazil; ``trim`` drops decimals that are zero."""
    number_value = _decimal(value)
    if number_value is None:
        return ""
    pattern = "#,##0." + ("#" if trim else "0") * digits if digits else "#,##0"
    return format_decimal(number_value, format=pattern, locale=locale or active(), decimal_quantization=True)


def excel_money_format(currency: str, *, locale: Locale | None = None) -> str:
    """The spreadsheet number format that shows an amount as the locale writes money:
    ``"S/" #,##0.00`` for soles in Peru (spreadsheets put their own separators)."""
    locale = locale or active()
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    digits = get_currency_precision(currency)
    number_pattern = "#,##0" + ("." + "0" * digits if digits else "")
    symbol = get_currency_symbol(currency, locale=locale).replace('"', "")
    text = re.sub(r"[#0,.]+", number_pattern, pattern, count=1)
    return text.replace("¤", f'"{symbol}"').replace(NBSP, " ")


def number_formats(locale_id: str) -> dict:
    """The Django format settings of a locale (crm/formats/<locale>/formats.py): separators
    from CLDR, dates day first."""
    locale = Locale.parse(locale_id)
    symbols = locale.number_symbols.get("latn", locale.number_symbols)
    return {
        "DECIMAL_SEPARATOR": symbols["decimal"],
        "THOUSAND_SEPARATOR": symbols["group"],
        "NUMBER_GROUPING": 3,
        "DATE_FORMAT": "d/m/Y",
        "SHORT_DATE_FORMAT": "d/m/Y",
        "DATETIME_FORMAT": "d/m/Y H:i",
        "SHORT_DATETIME_FORMAT": "d/m/Y H:i",
        "FIRST_DAY_OF_WEEK": 1,
        "DATE_INPUT_FORMATS": ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"],
        "DATETIME_INPUT_FORMATS": [
            "%d/%m/%Y %H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%d/%m/%y %H:%M",
            "%d/%m/%Y",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d",
        ],
    }
