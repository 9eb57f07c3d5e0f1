"""Demo companies with valid tax ids, and the positions of demo people."""

from __future__ import annotations

import random

from companies import services
from companies.models import Company
from crm.taxids import (
    cnpj_check_digits,
    nit_check_digit,
    rfc_check_digit,
    ruc_check_digit,
    rut_check_digit,
)

COMPANIES = [
    ("Andina Logística S.A.C.", "PE", "Transporte"),
    ("Minera Los Andes S.A.", "PE", "Minería"),
    ("Tecnologia Paulista Ltda.", "BR", "Tecnologia"),
    ("Construtora Horizonte S.A.", "BR", "Construção"),
    ("Distribuidora Azteca S.A. de C.V.", "MX", "Distribución"),
    ("Café de los Andes S.A.S.", "CO", "Alimentos"),
    ("Viña del Pacífico SpA", "CL", "Bebidas"),
]
AREAS = [
    ("Compras", "Jefe de compras"),
    ("Sistemas", "Gerente de TI"),
    ("Gerencia", "Gerente general"),
    ("Comercial", "Ejecutivo comercial"),
    ("Finanzas", "Contador"),
]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def demo_tax_id(country: str, rng: random.Random) -> str:
    """A made-up tax id with a valid check digit."""
    if country == "PE":
        body = f"20{rng.randrange(10**8):08d}"
        return body + ruc_check_digit(body)
    if country == "BR":
        body = f"{rng.randrange(10**8):08d}0001"
        return body + cnpj_check_digits(body)
    if country == "MX":
        body = "".join(rng.choice(LETTERS) for _ in range(3))
        body += f"{rng.randrange(90, 100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        body += "".join(rng.choice(LETTERS + "0123456789") for _ in range(2))
        return body + rfc_check_digit(body)
    if country == "CO":
        body = f"9{rng.randrange(10**8):08d}"
        return body + str(nit_check_digit(body))
    body = str(rng.randrange(76_000_000, 77_999_999))
    return body + rut_check_digit(body)


def seed(context: dict) -> None:
    if Company.objects.exists():
        return
    rng = context["rng"]
    agents = context["agents"]
    companies = []
    for index, (name, country, industry) in enumerate(COMPANIES):
        companies.append(
            services.company_create(
                by=context["admin"],
                name=name,
                tax_id=demo_tax_id(country, rng),
                country=country,
                city={
                    "PE": "Lima",
                    "BR": "São Paulo",
                    "MX": "Monterrey",
                    "CO": "Medellín",
                    "CL": "Valparaíso",
                }[country],
                address=f"Av. Principal {100 + index * 37}",
                industry=industry,
                owner=agents[index % len(agents)],
            )
        )
    for n, person in enumerate(context.get("people", [])):
        if n % 4 == 3:
            continue  # some people work for no company on record
        same_country = [c for c in companies if c.country == person.country] or companies
        area, position = rng.choice(AREAS)
        services.membership_add(person=person, company=rng.choice(same_country), area=area, position=position)
    context["companies"] = companies
