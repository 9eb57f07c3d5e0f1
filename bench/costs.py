"""Where a request's time goes: the load test's mix of requests (bench/locustfile.py, the
agents' part, reads only) run in this process under cProfile, each function's own time summed
by what it belongs to — template rendering, the ORM, middleware with sessions and users,
formatting, URLs, forms, the CRM's own code — and the time spent waiting for PostgreSQL.
The biggest groups are the costs to cut (docs/performance.md keeps them before and after)."""

from __future__ import annotations

import cProfile
import pstats
import random
import time

GROUPS = (
    # (name, path fragments): the first that matches a function's file names its group.
    ("waiting for PostgreSQL", ("psycopg/connection.py", "psycopg/waiting.py")),
    ("template rendering", ("django/template/", "django/templatetags/", "/templatetags/")),
    ("ORM: building queries, reading rows", ("django/db/", "psycopg/")),
    (
        "middleware, sessions and users",
        (
            "django/middleware/", "django/contrib/sessions/", "django/contrib/auth/", "crm/middleware",
            "axes/", "django_otp/", "pghistory/", "csp/", "whitenoise/", "django_htmx/",
            "django/contrib/messages/", "django/core/handlers/", "crm/backends",
        ),
    ),
    ("formatting and translations", ("babel/", "django/utils/formats", "django/utils/translation", "django/utils/dateformat", "crm/locales")),
    ("URLs", ("django/urls/",)),
    ("forms and filters", ("django/forms/", "django_filters/", "/forms.py", "/filters.py")),
    ("the test client", ("django/test/",)),
)  # fmt: skip
APP_DIRS = ("/crm/", "/people/", "/companies/", "/campaigns/", "/opportunities/", "/serviceorders/",
            "/activities/", "/reports/", "/goals/", "/automations/", "/api/", "/tallies/")  # fmt: skip


def mix(facts: dict) -> list[tuple[str, str]]:
    """The agents' reads of the load test (bench/mix.py), as many of each as its weight there;
    the person's page also as often as the saves read it first."""
    from bench.mix import READS, SAVES_READING_THE_PAGE
    from opportunities.models import Pipeline
    from people.models import Person

    pick = random.Random(7)
    agent = facts["agent"]
    people = list(Person.objects.filter(owner=agent, discarded_at=None).values_list("pk", flat=True)[:50])
    boards = list(Pipeline.objects.filter(name__startswith="Bench board").values_list("pk", flat=True))
    requests = []
    for read in READS:
        weight = read.weight + (SAVES_READING_THE_PAGE if read.name == "/people/<id>/" else 0)
        requests += [("agent", read.path(pick, people, boards)) for _ in range(weight)]
    return requests


def _group(filename: str) -> str:
    for name, fragments in GROUPS:
        if any(fragment in filename for fragment in fragments):
            return name
    if any(part in filename for part in APP_DIRS) and "site-packages" not in filename:
        return "the CRM's own code (views, access, services)"
    return "Python and other libraries"


def measure(facts: dict, rounds: int = 3) -> tuple[list[tuple[str, float]], float, int]:
    """(group, ms per request) biggest first, the mean wall time per request, requests."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(facts["agent"])
    requests = mix(facts)
    for _who, url in requests:  # warm
        client.get(url)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(rounds):
        for _who, url in requests:
            client.get(url)
    profile.disable()
    wall = (time.perf_counter() - started) * 1000
    count = rounds * len(requests)
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, own, _cum, callers) in pstats.Stats(profile).stats.items():
        if filename == "~" and callers:
            # A built-in (getattr, isinstance, a dict's get…) is charged to whoever called it,
            # in proportion to the time each caller spent in it.
            spent = sum(entry[2] for entry in callers.values()) or 1.0
            for (caller_file, _l, _n), entry in callers.items():
                group = _group(caller_file)
                totals[group] = totals.get(group, 0.0) + own * entry[2] / spent
            continue
        group = _group(filename)
        totals[group] = totals.get(group, 0.0) + own
    rows = sorted(((group, seconds * 1000 / count) for group, seconds in totals.items()), key=lambda r: -r[1])
    return rows, wall / count, count


def lines(facts: dict) -> str:
    rows, wall, count = measure(facts)
    total = sum(ms for _group, ms in rows)
    out = [
        f"Where an agent's request spends its time ({count} requests of the load test's mix, under "
        f"cProfile, which slows Python: {wall:.0f} ms a request):"
    ]
    for group, ms in rows:
        out.append(f"  {group:<48} {ms:6.1f} ms  {100 * ms / total:4.0f}%")
    return "\n".join(out)
