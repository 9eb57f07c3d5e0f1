"""What a simulated agent reads, and how often: one list for the load test (bench/locustfile.py)
and the profile of its costs (bench/costs.py). Plain Python: the load generator imports it
without Django."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

WORDS = ["garcia", "silva", "rojas", "lima", "maria", "jose", "flores", "souza"]
CONCEPTS = ["impresora", "router", "servidor", "firmware", "cableado", "vpn"]


@dataclass(frozen=True)
class Read:
    weight: int
    name: str  # how the load test's report groups it
    path: Callable[[random.Random, list[int], list[int]], str]  # (random, people, boards) -> path


def _week(pick: random.Random) -> str:
    monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
    monday -= datetime.timedelta(weeks=pick.randint(-2, 2))
    end = monday + datetime.timedelta(days=7)
    return f"/calendar/events/?start={monday.isoformat()}T00:00:00&end={end.isoformat()}T00:00:00"


READS = [
    Read(6, "/people/?q=…", lambda pick, people, boards: f"/people/?q={pick.choice(WORDS)}"),
    Read(
        2,
        "/people/?stage=…&page=…",
        lambda pick, people, boards: (
            f"/people/?stage={pick.choice(['prospect', 'interested', 'client'])}&page={pick.randint(1, 20)}"
        ),
    ),
    Read(5, "/people/<id>/", lambda pick, people, boards: f"/people/{pick.choice(people)}/"),
    Read(
        3,
        "/opportunities/boards/<id>/",
        lambda pick, people, boards: f"/opportunities/boards/{pick.choice(boards)}/",
    ),
    Read(2, "/reminders/", lambda pick, people, boards: "/reminders/"),
    Read(2, "/campaigns/", lambda pick, people, boards: "/campaigns/"),
    Read(2, "/serviceorders/?q=…", lambda pick, people, boards: f"/serviceorders/?q={pick.choice(CONCEPTS)}"),
    Read(2, "/calendar/events/?start=…", lambda pick, people, boards: _week(pick)),
    Read(2, "/notifications/bell/", lambda pick, people, boards: "/notifications/bell/"),
    Read(1, "/notifications/", lambda pick, people, boards: "/notifications/"),
    Read(1, "/people/<id>/email/", lambda pick, people, boards: f"/people/{pick.choice(people)}/email/"),
]

# The saves (a call logged: weight 2; a stage changed: weight 1) each read the person's page first.
SAVES_READING_THE_PAGE = 3
