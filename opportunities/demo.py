"""Demo boards with cards at every stage and status."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from opportunities import sales, services
from opportunities.models import Opportunity, Pipeline

SUBJECTS = [
    "Licencias ERP 20 usuarios",
    "Implementación de CRM",
    "Soporte anual",
    "Capacitación del equipo de ventas",
    "Migración a la nube",
    "Renovação de contrato",
    "Consultoria de processos",
]


def seed(context: dict) -> None:
    if Pipeline.objects.exists():
        return
    rng = context["rng"]
    agents = context["agents"]
    _products()
    boards = [services.pipeline_create(name="Ventas Lima", color="blue", members=[*agents[:2], agents[2]])]
    with translation.override("pt-br"):  # the Brazilian team's board speaks Portuguese
        boards.append(services.pipeline_create(name="Vendas Brasil", color="green", members=[agents[1]]))
    now = timezone.now()
    people = [p for p in context.get("people", []) if p.memberships.exists()]
    for index, person in enumerate(people[:24]):
        board = boards[0] if person.country != "BR" else boards[1]
        agent = person.owner if person.owner in board.members.all() else board.members.first()
        stages = list(board.stages.order_by("position"))
        membership = person.memberships.select_related("company").first()
        try:
            card = services.opportunity_create(
                by=agent,
                pipeline=board,
                stage=stages[index % len(stages)],
                subject=SUBJECTS[index % len(SUBJECTS)],
                company=membership.company,
                contact=person,
                agent=agent,
                amount=rng.choice([1500, 4800, 12000, 35000, 90000]),
                currency="BRL" if board is boards[1] else "PEN",
                expected_close_on=timezone.localdate() + datetime.timedelta(days=rng.randrange(5, 90)),
                source=person.source,
            )
        except ValidationError:  # a person with an open card already: skip
            continue
        roll = index % 6
        if roll == 1:
            services.opportunity_set_status(
                opportunity=card,
                by=agent,
                status="waiting",
                comment="Evaluando presupuesto",
                next_contact_on=timezone.localdate() + datetime.timedelta(days=3),
            )
        elif roll == 2:
            services.opportunity_set_status(
                opportunity=card, by=agent, status="working", comment="Demo agendada"
            )
            # A question for the manager: their bell lights up.
            services.opportunity_comment(
                opportunity=card,
                by=agent,
                comment=f"@{context['manager'].username} ¿aprobamos un 10% de descuento?",
            )
        elif roll == 3:
            services.opportunity_set_status(
                opportunity=card, by=agent, status="closed", invoice_number=f"F001-{index:05d}"
            )
        elif roll == 4:
            services.opportunity_set_status(
                opportunity=card,
                by=agent,
                status="lost",
                lost_reason="Precio alto",
                improvement="Ofrecer cuotas",
            )
        # Opened over the last months, won and lost along them: the charts show trends.
        opened = max(person.created_at, now - datetime.timedelta(days=context["days"]))
        span = max((now - opened).days, 1)
        created = opened + datetime.timedelta(days=rng.randrange(0, span))
        changes = {"created_at": created}
        if roll in (3, 4):
            # Decided within a month of opening: won and lost spread over the months.
            changes["decided_at"] = min(created + datetime.timedelta(days=rng.randrange(1, 31)), now)
        if index % 5 == 0:
            # Idle for a while: shows up orange where the stage has stagnant days.
            changes["updated_at"] = now - datetime.timedelta(days=15)
        Opportunity.objects.filter(pk=card.pk).update(**changes)


PRODUCTS = [
    ("ERP-20", "Licencias ERP (20 usuarios)", 12000, "PEN"),
    ("CRM-IMP", "Implementación de CRM", 8500, "PEN"),
    ("SOP-ANUAL", "Soporte anual", 4800, "PEN"),
    ("CAP-VEN", "Capacitación del equipo de ventas", 1500, "PEN"),
    ("NUVEM", "Migração para a nuvem", 35000, "BRL"),
]


def _products() -> None:
    """A small catalog: cards and quotes take their lines from it, campaigns promote it."""
    for code, name, price, currency in PRODUCTS:
        sales.product_save(code=code, name=name, unit_price=price, currency=currency)
