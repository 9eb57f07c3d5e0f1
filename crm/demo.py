"""Demo data of the core: the team's legal data, printed on the demo's quotes."""

from __future__ import annotations

from crm import services, team


def seed(context: dict) -> None:
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
