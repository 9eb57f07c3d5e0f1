"""Amounts in several currencies, totalled in the company's base currency.

Opportunities, campaigns, products and quotes carry their own currency.
Administrators keep exchange rates by date (:class:`crm.models.ExchangeRate`:
units of the base currency for one unit of the other). A total in the base
currency uses, for each currency, its latest rate on or before the day asked
for, and says which rates it used; an amount in a currency without a rate yet
is left out of the converted total and named as missing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from crm import access
from crm.countries import CURRENCIES

__all__ = ["CURRENCIES", "Rates", "Total", "Used", "base_currency"]

_KEPT = "rates_by_day"  # the request's rates in its memo (Rates.on_date)


def base_currency() -> str:
    """The team's currency (Team settings): boards, dashboards and reports total in it."""
    from crm import team

    return team.current().base_currency


@dataclass(frozen=True)
class Used:
    currency: str
    rate: Decimal
    on: datetime.date


@dataclass
class Total:
    amount: Decimal = Decimal(0)
    used: list[Used] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # currencies without a rate
    unconverted: list[tuple[str, Decimal]] = field(default_factory=list)  # their amounts, as they are
    converted_any: bool = False  # some amount is in ``amount``


@dataclass
class Rates:
    """The latest rate of every currency on or before ``on`` (one query)."""

    on: datetime.date
    base: str
    table: dict[str, Used]

    @classmethod
    def on_date(cls, user, on: datetime.date | None = None) -> Rates:
        """The rates of ``on`` (today), read once per request: the dashboard's charts, goals
        and forecast, or a board's totals and its columns, ask for the same day. They are
        kept in the request's memo (crm.team.request_memo: a fresh read outside a request)
        and forgotten when a rate is saved or deleted."""
        from crm import team

        on = on or timezone.localdate()
        kept = team.request_memo().setdefault(_KEPT, {})
        key = (on, bool(user.is_authenticated and user.is_active))
        if key not in kept:
            latest = (
                access.exchange_rates(user)
                .filter(on__lte=on)
                .order_by("currency", "-on")
                .distinct("currency")
                .values_list("currency", "rate", "on")
            )
            kept[key] = {c: Used(c, rate, day) for c, rate, day in latest}
        return cls(on=on, base=base_currency(), table=dict(kept[key]))

    @staticmethod
    def forget() -> None:
        """The rates kept for this request forgotten (a rate was saved or deleted)."""
        from crm import team

        team.request_memo().pop(_KEPT, None)

    def convert(self, amount: Decimal | None, currency: str) -> Decimal | None:
        if amount is None:
            return None
        if currency == self.base:
            return Decimal(amount)
        used = self.table.get(currency)
        return None if used is None else (Decimal(amount) * used.rate).quantize(Decimal("0.01"))

    def total(self, amounts: Iterable[tuple[str, Decimal | None]]) -> Total:
        """The sum of (currency, amount) pairs in the base currency."""
        result = Total()
        used: dict[str, Used] = {}
        unconverted: dict[str, Decimal] = {}
        for currency, amount in amounts:
            if not amount:
                continue
            converted = self.convert(amount, currency)
            if converted is None:
                unconverted[currency] = unconverted.get(currency, Decimal(0)) + amount
                continue
            result.amount += converted
            result.converted_any = True
            if currency != self.base:
                used[currency] = self.table[currency]
        result.used = sorted(used.values(), key=lambda u: u.currency)
        result.missing = sorted(unconverted)
        result.unconverted = sorted(unconverted.items())
        return result
