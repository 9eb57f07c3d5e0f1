"""Demo projects and service orders with services, verified and reopened ones."""

from __future__ import annotations

import datetime

from django.utils import timezone

from serviceorders import services
from serviceorders.models import ServiceOrder

DETAILS = [
    ("La impresora de recepción no imprime", "Se limpió el cabezal y se cambió el tóner"),
    ("Configuración de la red inalámbrica", "Se configuró el router y se actualizaron las claves"),
    ("Instalação do sistema de caixa", "Instalação concluída e equipe treinada"),
    ("El servidor se reinicia solo", "Se reemplazó la fuente de poder"),
    ("Mantenimiento preventivo de laptops", "Limpieza interna y cambio de pasta térmica"),
]


def seed(context: dict) -> None:
    if ServiceOrder.objects.exists():
        return
    rng = context["rng"]
    agents = context["agents"]
    companies = context.get("companies", [])
    if not companies:
        return
    project = services.project_create(
        by=context["manager"],
        company=companies[0],
        name="Renovación de equipos 2026",
        starts_on=datetime.date(2026, 1, 15),
        goal_on=datetime.date(2026, 12, 15),
        owner=agents[0],
    )
    for index in range(15):
        company = companies[index % len(companies)]
        detail, work = DETAILS[index % len(DETAILS)]
        agent = agents[index % len(agents)]
        order = services.order_create(
            by=context["manager"],
            company=company,
            project=project if company == project.company else None,
            priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
            assignee=agent,
            detail=detail,
            equipment_received="Laptop Lenovo S/N 4411" if index % 4 == 0 else "",
        )
        # Opened over the last months: the reports' times to finish and ratings have a history.
        opened = timezone.now() - datetime.timedelta(days=rng.randrange(7, context["days"]))
        ServiceOrder.objects.filter(pk=order.pk).update(created_at=opened)
        if index % 3 != 2:
            # Pending orders have their visit in the agenda, in office hours this week.
            day = timezone.localtime() + datetime.timedelta(days=rng.randrange(0, 6))
            visit = day.replace(hour=rng.randrange(9, 17), minute=0, second=0, microsecond=0)
            order = services.order_update(order=order, by=context["manager"], appointment_at=visit)
        if index % 3:
            services.entry_add(order=order, by=agent, detail="Diagnóstico inicial realizado")
        if index % 3 == 2:
            services.entry_add(order=order, by=agent, detail=work, finished=True)
            ServiceOrder.objects.filter(pk=order.pk).update(
                finished_at=opened + datetime.timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 8))
            )
            if index % 2:
                services.order_verify(
                    order=order,
                    by=context["manager"],
                    comments="Cliente conforme",
                    closed=True,
                    rating=rng.choice([4, 5]),
                )
            elif index % 5 == 0:
                services.order_reopen(
                    order=order, by=context["manager"], comments="El problema volvió a aparecer"
                )
