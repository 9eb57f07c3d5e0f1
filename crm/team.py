"""The team's settings (:class:`crm.models.TeamSettings`), read once per request.

The middleware (:class:`crm.middleware.TeamLocaleMiddleware`) loads the row at the start of
each request and keeps it for the rest of it; code outside a request (tasks, commands)
reads it afresh. A change on the settings page shows on the next request of every process,
without a restart.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from crm import countries, locales
from crm.countries import DEFAULT_TAX
from crm.models import TeamSettings

_current: ContextVar[TeamSettings | None] = ContextVar("team_settings", default=None)
# What a request (or task) reads once and keeps to its end (see request_memo).
_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


def first_run_defaults() -> dict:
    """What the first row holds: the environment's choices, else a Peruvian team."""
    country = os.environ.get("TEAM_COUNTRY", "PE").upper()
    tax_name, tax_rate = DEFAULT_TAX.get(country, ("", Decimal(0)))
    return {
        "legal_name": os.environ.get("TEAM_LEGAL_NAME", ""),
        "country": country,
        "base_currency": os.environ.get("BASE_CURRENCY", "PEN"),
        "tax_name": tax_name,
        "tax_rate": tax_rate,
        "time_zone": settings.TIME_ZONE,
    }


def defaults() -> TeamSettings:
    """The first-run settings, unsaved."""
    return TeamSettings(pk=1, **first_run_defaults())


def load() -> TeamSettings:
    """The stored settings (one query), or the first-run defaults while there is no row."""
    return TeamSettings.objects.filter(pk=1).first() or defaults()


def current() -> TeamSettings:
    """This request's settings; outside a request, read now."""
    team = _current.get()
    return team if team is not None else load()


def currency() -> str:
    """The team's base currency: the default currency of new cards, products, campaigns."""
    return current().base_currency


def country() -> str:
    """The country of new records: the viewer's (their own, else the team's)."""
    return countries.viewer_country() or current().country


def country_of(user, team: TeamSettings) -> str:
    """Where ``user`` works: their own country, else the team's (anonymous visitors too)."""
    return getattr(user, "country", "") or team.country


@contextmanager
def kept(team: TeamSettings, country: str) -> Iterator[None]:
    """The team's settings and the viewer's country for the work inside (a request, a task),
    with a memo of its own (request_memo)."""
    team_token, country_token = _current.set(team), countries.use_country(country)
    memo_token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(memo_token)
        _current.reset(team_token)
        countries.forget_country(country_token)


def request_memo() -> dict:
    """Values this request reads once and keeps to its end, as it keeps the team's settings
    (crm.currency's exchange rates); outside a request, a new dict each time: nothing kept."""
    memo = _memo.get()
    return memo if memo is not None else {}


def zone(team: TeamSettings) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(team.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@contextmanager
def speaking_as(user, language: str = "") -> Iterator[TeamSettings]:
    """Outside a request (a task, a command), what the middleware sets for one: ``user``'s
    locale (``language``, else theirs, with their country or the team's), their country for
    phones, and the team's clock."""
    team = load()
    country = country_of(user, team)
    locale = locales.django_language(
        language or getattr(user, "language", "") or settings.LANGUAGE_CODE, country
    )
    with kept(team, country), translation.override(locale), timezone.override(zone(team)):
        yield team
