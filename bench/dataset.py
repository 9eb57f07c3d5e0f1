"""The benchmark's data set, built once in its own database and reused.

At ``scale=1``: 1,000,000 people (10% discarded), 100,000 companies (200,000
positions), 30 agents, 200 campaigns with 500,000 members (one with 5,000),
200,000 opportunities on 5 boards, 3,000,000 activities (one person with 300
timeline entries), 500,000 service orders with 1,500,000 services. People come
by COPY (bench/people_io.py); the rest by ``INSERT … SELECT`` over
``generate_series``, computed inside PostgreSQL. The CRM's own triggers (change
history, the orders' search document) are off while the rows go in; the search
documents are then written in one statement, as the trigger would have.

Each table is filled only up to its target, so an interrupted build resumes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench import people_io

TABLES_WITH_TRIGGERS = [
    "companies_company",
    "companies_membership",
    "campaigns_campaign",
    "campaigns_campaignmember",
    "opportunities_opportunity",
    "crm_activity",
    "serviceorders_serviceorder",
    "serviceorders_serviceentry",
]


@dataclass(frozen=True)
class Size:
    people: int
    companies: int
    memberships: int
    tagged: int
    campaigns: int
    members: int
    big_campaign: int
    boards: int
    opportunities: int
    activities: int
    timeline: int
    orders: int
    entries_per_order: int

    @classmethod
    def at(cls, scale: float) -> Size:
        def n(value: int, least: int = 1) -> int:
            return max(least, round(value * scale))

        return cls(
            people=n(1_000_000, 200),
            companies=n(100_000, 20),
            memberships=n(200_000, 40),
            tagged=n(300_000, 30),
            campaigns=n(200, 3),
            members=n(500_000, 60),
            big_campaign=n(5_000, 20),
            boards=5,
            opportunities=n(200_000, 40),
            activities=n(3_000_000, 300),
            timeline=300 if scale >= 0.01 else 30,
            orders=n(500_000, 40),
            entries_per_order=3,
        )


def _sql(statement: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


_built: set[str] = set()  # the tables a build wrote to with their triggers off


def _step(label: str, table: str, target: int, build) -> None:
    have = _count(table)
    if have >= target:
        return
    started = time.perf_counter()
    build(have)
    _built.add(table)
    from django.db import connection

    # VACUUM clears what an interrupted build left; inside a transaction (the smoke test) it cannot run.
    _sql(f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM ANALYZE {table}")
    print(f"  {label}: {target - have:,} rows in {time.perf_counter() - started:.1f} s", flush=True)


def build(scale: float = 1.0) -> dict:
    """Build (or complete) the data set; returns what the measurements need."""
    from crm.models import Counter, User
    from opportunities import services as opportunity_services
    from opportunities.models import Pipeline

    size = Size.at(scale)
    started = time.perf_counter()
    admin, agents = people_io.agents()
    manager, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"name": "Bench Manager", "role": User.Role.MANAGER}
    )
    for user in [admin, manager, *agents]:
        if not user.password or not user.has_usable_password():
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
    people_io.build_people(size.people, agents)
    people_io.spread_dates()
    agent_ids = [a.pk for a in agents]
    boards = list(Pipeline.objects.filter(name__startswith="Bench board").order_by("id"))
    for n in range(len(boards), size.boards):
        board = opportunity_services.pipeline_create(name=f"Bench board {n + 1}", color="blue")
        board.members.set(agents)
        boards.append(board)
    # Each step commits on its own (an interrupted build resumes); the triggers are back on
    # whatever happens.
    for table in TABLES_WITH_TRIGGERS:
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        _sql("DROP TABLE IF EXISTS bench_people")
        _sql(
            "CREATE TEMP TABLE bench_people AS "
            "SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, owner_id FROM people_person "
            "WHERE email LIKE 'p%@bench.example'"
        )
        _sql("CREATE UNIQUE INDEX ON bench_people (n)")
        _sql("ANALYZE bench_people")
        people = _count("bench_people")
        params = {"agents": agent_ids, "people": people}
        _step("companies", "companies_company", size.companies, lambda have: _companies(have, size, params))
        _sql("DROP TABLE IF EXISTS bench_companies")
        _sql(
            "CREATE TEMP TABLE bench_companies AS "
            "SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM companies_company"
        )
        _sql("CREATE UNIQUE INDEX ON bench_companies (n)")
        params["companies"] = _count("bench_companies")
        _step(
            "positions",
            "companies_membership",
            size.memberships,
            lambda have: _memberships(have, size, params),
        )
        _step("tags", "people_person_tags", size.tagged, lambda have: _tags(have, size, params))
        _step("campaigns", "campaigns_campaign", size.campaigns, lambda have: _campaigns(have, size, params))
        _step(
            "campaign members",
            "campaigns_campaignmember",
            size.members,
            lambda have: _members(have, size, params),
        )
        params["boards"] = [b.pk for b in boards]
        _step(
            "opportunities", "opportunities_opportunity", size.opportunities,
            lambda have: _opportunities(have, size, params),
        )  # fmt: skip
        _step(
            "activities",
            "crm_activity",
            size.activities + size.timeline,
            lambda have: _activities(have, size, params),
        )
        _step(
            "service orders",
            "serviceorders_serviceorder",
            size.orders,
            lambda have: _orders(have, size, params),
        )
        _step(
            "services", "serviceorders_serviceentry", size.orders * size.entries_per_order,
            lambda have: _entries(have, size, params),
        )  # fmt: skip
    finally:
        _sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER TABLE
        for table in TABLES_WITH_TRIGGERS:
            _sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    _goals_and_forecast(manager, agents, [b.pk for b in boards])
    # The data set's discarded people stay as they are: the worker the channels' benchmark
    # starts would erase them (retention) one by one.
    from crm import services as crm_services
    from crm.models import TeamSettings

    if TeamSettings.objects.filter(pk=1).values_list("erase_discarded_after", flat=True).first() != 0:
        crm_services.team_settings_save(by=admin, erase_discarded_after=0)
    # The dashboard's tallies count what went in while the triggers were off.
    from tallies import triggers as tallies

    if _built:
        tallies.rebuild()
        _built.clear()
    else:
        tallies.ensure()
    numbers = _max("serviceorders_serviceorder", "number")
    Counter.objects.update_or_create(name="order", defaults={"value": numbers})
    print(f"data set ready in {time.perf_counter() - started:.0f} s", flush=True)
    return facts(size)


def _goals_and_forecast(manager, agents, boards: list[int]) -> None:
    """This month's and quarter's goals (the team's and each agent's, on every measure), the
    stages' probabilities, and the cards' expected closing dates spread over a year (once)."""
    from django.utils import timezone

    from goals.models import Goal, period_start

    today = timezone.localdate()
    month, quarter = period_start(today, "month"), period_start(today, "quarter")
    if not Goal.objects.filter(starts_on=month, period="month").exists():
        M = Goal.Metric
        rows = [
            Goal(agent=None, metric=M.WON_AMOUNT, period="quarter", starts_on=quarter, target=30_000_000),
            *[
                Goal(
                    agent=agent,
                    metric=metric,
                    activity_kind=kind,
                    period="month",
                    starts_on=month,
                    target=target,
                )
                for agent in [None, *agents]
                for metric, kind, target in (
                    (M.WON_AMOUNT, "", 1_000_000),
                    (M.WON_CARDS, "", 100),
                    (M.NEW_CLIENTS, "", 50),
                    (M.ACTIVITIES, "call", 400),
                )
            ],
        ]
        for goal in rows:
            goal.created_by = manager
        Goal.objects.bulk_create(rows, ignore_conflicts=True)
    _sql(
        "UPDATE opportunities_stage SET probability = (ARRAY[10, 30, 60, 90])[1 + position %% 4] "
        "WHERE probability = 0 AND pipeline_id = ANY(%(boards)s)",
        {"boards": boards},
    )
    _sql(
        "UPDATE opportunities_opportunity SET expected_close_on = current_date + (mod(id, 400)::int - 60) "
        "WHERE expected_close_on IS NULL AND mod(id, 10) <> 0"
    )


PASSWORD = "bench-crm-2026"


def _max(table: str, column: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max({column}), 0) FROM {table}")
        return cursor.fetchone()[0]


def _companies(have: int, size: Size, params: dict) -> None:
    _sql(
        """
        INSERT INTO companies_company (name, tax_id, country, address, city, phone, website, industry,
                                       owner_id, notes, created_at, updated_at)
        SELECT (ARRAY['Andina','Pacífico','Sol','Inca','Amazonas','Cordillera','Atlântica','Paulista'])[1 + g %% 8]
               || ' ' || (ARRAY['Logística','Alimentos','Textil','Software','Minería','Construções'])[1 + g %% 6]
               || ' ' || g || ' S.A.C.',
               '', 'PE', 'Av. Principal ' || g, (ARRAY['Lima','Cusco','São Paulo','Bogotá'])[1 + g %% 4],
               '', '', '', (%(agents)s::bigint[])[1 + g %% 30], '',
               now() - (g %% 730) * interval '1 day', now() - (g %% 730) * interval '1 day'
        FROM generate_series(%(start)s, %(stop)s) AS g
        """,
        {**params, "start": have, "stop": size.companies - 1},
    )


def _memberships(have: int, size: Size, params: dict) -> None:
    _sql(
        """
        INSERT INTO companies_membership (person_id, company_id, area, position, created_at)
        SELECT p.id, c.id, 'Compras', 'Jefe de compras', now()
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN bench_people p ON p.n = g %% %(people)s
        JOIN bench_companies c ON c.n = g %% %(companies)s
        """,
        {**params, "start": have, "stop": size.memberships - 1},
    )


def _tags(have: int, size: Size, params: dict) -> None:
    """Twenty tags; every fifth person (from the first) has two of them."""
    _sql(
        "INSERT INTO people_tag (name, color, created_at) "
        "SELECT 'Etiqueta ' || g, 'blue', now() FROM generate_series(1, 20) AS g "
        "WHERE NOT EXISTS (SELECT 1 FROM people_tag WHERE name LIKE 'Etiqueta %%')"
    )
    _sql(
        """
        INSERT INTO people_person_tags (person_id, tag_id)
        SELECT p.id, t.id
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN bench_people p ON p.n = (g / 2) * 5 %% %(people)s
        JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM people_tag WHERE name LIKE 'Etiqueta %%') t
          ON t.n = g %% 20
        ON CONFLICT DO NOTHING
        """,
        {**params, "start": have, "stop": size.tagged - 1},
    )


def _campaigns(have: int, size: Size, params: dict) -> None:
    _sql(
        """
        INSERT INTO campaigns_campaign (name, product_name, price, currency, starts_on, ends_on, owner_id,
                                        description, created_at, updated_at)
        SELECT 'Campaña bench ' || g, 'Licencia anual', 1500, 'PEN', current_date - 30 - g,
               current_date + 60 - g, (%(agents)s::bigint[])[1 + g %% 30], '', now(), now()
        FROM generate_series(%(start)s, %(stop)s) AS g
        """,
        {**params, "start": have, "stop": size.campaigns - 1},
    )


def _members(have: int, size: Size, params: dict) -> None:
    # Campaign 0 gets the first `big` members; the rest share the others. Person
    # g * 7919 mod N is a different person for every g (7919 is prime to N).
    from campaigns.models import Campaign

    ids = list(
        Campaign.objects.filter(name__startswith="Campaña bench ").order_by("id").values_list("id", flat=True)
    )
    _sql(
        """
        INSERT INTO campaigns_campaignmember (campaign_id, person_id, status, agent_id, created_at, updated_at)
        SELECT CASE WHEN g < %(big)s THEN (%(campaigns)s::bigint[])[1]
                    ELSE (%(campaigns)s::bigint[])[2 + (g - %(big)s) %% (%(count)s - 1)] END,
               p.id, (ARRAY['new','contacted','interested','not_interested','converted'])[1 + g %% 5],
               p.owner_id, now() - (g %% 60) * interval '1 day', now()
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN bench_people p ON p.n = (g::bigint * 7919) %% %(people)s
        """,
        {
            **params,
            "start": have,
            "stop": size.members - 1,
            "big": size.big_campaign,
            "campaigns": ids,
            "count": len(ids),
        },
    )


def _opportunities(have: int, size: Size, params: dict) -> None:
    _sql(
        """
        INSERT INTO opportunities_opportunity (
            pipeline_id, stage_id, position, company_id, contact_id, type, agent_id, created_by_id, subject,
            observations, source, amount, currency, status, invoice_number, lost_reason, improvement,
            archived, stage_entered_at, created_at, updated_at, decided_at)
        SELECT s.pipeline_id, s.id, g, c.id, p.id, 'new_sale', p.owner_id, p.owner_id,
               'Oportunidad ' || g, '', 'website', 500 + (g %% 40) * 250, 'PEN',
               (ARRAY['new','waiting','working','closed','lost'])[1 + g %% 5],
               CASE WHEN g %% 5 = 3 THEN 'F001-' || g ELSE '' END,
               CASE WHEN g %% 5 = 4 THEN 'Precio alto' ELSE '' END, '', false,
               now() - (g %% 90) * interval '1 day', now() - (g %% 365) * interval '1 day',
               now() - (g %% 30) * interval '1 day',
               CASE WHEN g %% 5 IN (3, 4) THEN now() - (g %% 365) * interval '1 day' END
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN LATERAL (
            SELECT id, pipeline_id FROM opportunities_stage
            WHERE pipeline_id = (%(boards)s::bigint[])[1 + g %% array_length(%(boards)s::bigint[], 1)]
            ORDER BY position OFFSET (g / 5) %% 4 LIMIT 1
        ) AS s ON true
        JOIN bench_people p ON p.n = (g::bigint * 104729) %% %(people)s
        JOIN bench_companies c ON c.n = g %% %(companies)s
        """,
        {**params, "start": have, "stop": size.opportunities - 1},
    )


def _activities(have: int, size: Size, params: dict) -> None:
    # The first `timeline` rows all belong to person 0: the manage page with a long timeline.
    # One in 200 is an open reminder (about 500 per agent), spread evenly over the agents.
    _sql(
        """
        INSERT INTO crm_activity (kind, subject, detail, person_id, owner_id, created_by_id, due_at, done_at,
                                  created_at, updated_at)
        SELECT (ARRAY['call','email','visit','meeting','note','task'])[1 + g %% 6],
               'Seguimiento ' || g, 'Conversó sobre la propuesta y los plazos.', p.id, p.owner_id, p.owner_id,
               CASE WHEN (g / 7) %% 200 = 0 THEN now() + ((g %% 15) - 7) * interval '1 day' END,
               CASE WHEN (g / 7) %% 200 = 0 THEN NULL ELSE now() - (g %% 365) * interval '1 day' END,
               now() - (g %% 365) * interval '1 day', now() - (g %% 365) * interval '1 day'
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN bench_people p ON p.n = CASE WHEN g < %(timeline)s THEN 0 ELSE (g::bigint * 15485863) %% %(people)s END
        """,
        {**params, "start": have, "stop": size.activities + size.timeline - 1, "timeline": size.timeline},
    )


def _orders(have: int, size: Size, params: dict) -> None:
    _sql(
        """
        INSERT INTO serviceorders_serviceorder (number, company_id, priority, assignee_id, detail,
            equipment_received, status, customer_comments, created_by_id, created_at, updated_at, finished_at)
        SELECT g + 1, c.id, (ARRAY['low','normal','high'])[1 + g %% 3], (%(agents)s::bigint[])[1 + g %% 30],
               (ARRAY['Instalación de red en','Mantenimiento de impresora de','Revisión del servidor de',
                      'Configuración de correo para','Reparación de laptop de','Cableado estructurado en'])[1 + g %% 6]
               || ' ' || (ARRAY['oficina central','almacén','sucursal norte','gerencia','recepción'])[1 + g %% 5],
               CASE WHEN g %% 4 = 0 THEN 'Laptop Lenovo con cargador' ELSE '' END,
               (ARRAY['pending','done','verified','reopened'])[1 + g %% 4], '',
               (%(agents)s::bigint[])[1 + g %% 30], now() - (g %% 365) * interval '1 day', now(),
               CASE WHEN g %% 4 IN (1, 2) THEN now() - (g %% 365) * interval '1 day' + interval '5 hours' END
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN bench_companies c ON c.n = g %% %(companies)s
        """,
        {**params, "start": have, "stop": size.orders - 1},
    )


def _entries(have: int, size: Size, params: dict) -> None:
    _sql(
        """
        INSERT INTO serviceorders_serviceentry (order_id, author_id, detail, finished, created_at)
        SELECT o.id, o.assignee_id,
               (ARRAY['Se revisó el equipo y se cambió el disco duro','Se reemplazó el router',
                      'Se actualizó el firmware de la impresora','Se configuró la VPN del usuario',
                      'Se limpió el ventilador del servidor'])[1 + g %% 5],
               g %% 3 = 2, o.created_at + (g %% 3) * interval '1 hour'
        FROM generate_series(%(start)s, %(stop)s) AS g
        JOIN serviceorders_serviceorder o ON o.number = g / 3 + 1
        """,
        {"start": have, "stop": size.orders * size.entries_per_order - 1},
    )
    # The search documents, as the triggers would have written them.
    _sql(
        """
        UPDATE serviceorders_serviceorder o
        SET search = serviceorders_vector(o.detail || ' ' || o.equipment_received || ' ' || e.services)
        FROM (SELECT order_id, string_agg(detail, ' ') AS services FROM serviceorders_serviceentry
              GROUP BY order_id) AS e
        WHERE e.order_id = o.id
        """
    )


def facts(size: Size) -> dict:
    """Ids the measurements visit."""
    from campaigns.models import Campaign
    from crm.models import User
    from opportunities.models import Pipeline
    from people.models import Person

    timeline_person = Person.objects.filter(email__startswith="p0@bench").values_list("pk", flat=True).first()
    return {
        "size": size,
        "admin": User.objects.get(username="bench-admin"),
        "manager": User.objects.get(username="bench-manager"),
        "agent": User.objects.get(username="bench-agent-0"),
        "timeline_person": timeline_person,
        "big_campaign": Campaign.objects.filter(name="Campaña bench 0").values_list("pk", flat=True).first(),
        "board": Pipeline.objects.filter(name="Bench board 1").values_list("pk", flat=True).first(),
    }
