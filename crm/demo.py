"""Demo data of the core: the team's legal data, printed on the demo's quotes, and exchange
rates for the demo's other currencies (the dashboard and the forecast total them)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from crm import services, team
from crm.models import ExchangeRate

# Units of the demo's base currency (PEN) for one unit of the others.
RATES = {"USD": Decimal("3.75"), "BRL": Decimal("0.68")}


def seed(context: dict) -> None:
    if team.current().base_currency == "PEN" and not ExchangeRate.objects.exists():
        since = timezone.localdate() - datetime.timedelta(days=context["days"])
        for currency, rate in RATES.items():
            services.exchange_rate_save(by=context["admin"], currency=currency, on=since, rate=rate)
    if team.load().legal_name:  # an administrator's settings are theirs
        return
    current = team.load()
    services.team_settings_save(
        by=context["admin"],
        legal_name="Andes Digital S.A.C." if current.country == "PE" else "Andes Digital",
        tax_id="20100070970" if current.country == "PE" else "",
        address="Av. José Larco 1232, oficina 501\nMiraflores, Lima",
        quote_terms=(
            "Precios en la moneda indicada; el IGV se muestra aparte.\n"
            "Forma de pago: 50 % a la firma y 50 % a la entrega.\n"
            "Plazo de implementación: 4 a 6 semanas desde la firma."
        ),
        quote_validity_days=15,
    )
