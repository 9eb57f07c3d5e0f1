"""Server time and query count of the CRM's heaviest pages on the data set,
through Django's test client (the whole middleware stack, templates
included), warm, over repeated runs."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

MAX_QUERIES = 16
CALIBRATION = "Calibration: a trivial view (/healthz), same stack"
# The dashboard: a query per chart and figure, the goals and the forecast.
DASHBOARD_QUERIES = 27


@dataclass(frozen=True)
class PageCase:
    label: str
    who: str  # "manager" or "agent"
    url: str
    median_ms: float
    p95_ms: float | None = None
    max_queries: int = MAX_QUERIES


def deep_cursor(facts: dict, page: int) -> str:
    """The cursor of the People list's page ``page`` (25 rows a page), as following
    Next that many times would leave it."""
    from crm import access
    from crm.pagination import PER_PAGE, KeysetPaginator

    people = access.people(facts["manager"]).order_by("-created_at", "-id")
    row = people[(page - 1) * PER_PAGE - 1]
    return KeysetPaginator(people).encode(row)


def cases(facts: dict) -> list[PageCase]:
    import datetime

    from django.utils import timezone

    ten_years = (timezone.localdate() - datetime.timedelta(days=365 * 10)).isoformat()
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    week = f"/calendar/events/?start={monday.isoformat()}T00:00:00&end={(monday + datetime.timedelta(days=7)).isoformat()}T00:00:00"
    # As deep into the list as Next would take someone at each size (10,000 pages at a million).
    pages = max(3, min(10_000, facts["size"].people // 100))
    search = "/people/?q=garcia&stage=prospect"
    size = facts["size"]
    return [
        # The calibration: a trivial view through the same stack (middleware, session, one
        # query), so that runs on different machines compare by their ratios to it.
        PageCase(CALIBRATION, "agent", "/healthz", 20),
        # The list's rows with their tags, positions and companies: 17 queries once a person shown
        # works somewhere (each a prefetch, whatever the number of rows).
        PageCase("People, first page, filtered + text search", "manager", search, 50, 100, max_queries=17),
        PageCase("People, first page, filtered + text search (agent)", "agent", search, 50, 100),
        PageCase("People search: its count of results (own request)", "manager", f"{search}&count=1", 100),
        PageCase(
            f"People, page {pages:,} (by Next)", "manager", f"/people/?after={deep_cursor(facts, pages)}", 100
        ),
        PageCase("Person page, 300 timeline entries", "agent", f"/people/{facts['timeline_person']}/", 100),
        PageCase(
            f"Campaign page, {size.big_campaign:,} members",
            "manager",
            f"/campaigns/{facts['big_campaign']}/",
            100,
        ),
        PageCase(
            "Kanban board, default 50 cards per column",
            "manager",
            f"/opportunities/boards/{facts['board']}/",
            100,
        ),
        PageCase(
            "Kanban board, 500 cards per column",
            "manager",
            f"/opportunities/boards/{facts['board']}/?per_column=500",
            100,
        ),
        PageCase(
            f"Concept search over {size.orders:,} orders",
            "manager",
            "/serviceorders/?q=impresora+firmware",
            100,
        ),
        PageCase(
            "Companies, first page (agent: their own and where their people work)",
            "agent",
            "/companies/",
            100,
        ),
        PageCase("Global search as you type: 'garcia' (every kind)", "manager", "/search/?q=garcia", 100),
        PageCase("Global search as you type: 'garcia' (agent)", "agent", "/search/?q=garcia", 100),
        PageCase(
            "Possible duplicate people by email (values kept 10 min)", "manager", "/duplicates/people/", 100
        ),
        PageCase(f"Calendar feed, an agent's week ({size.activities:,} activities)", "agent", week, 100),
        PageCase("Calendar feed, the whole team's week", "manager", f"{week}&team=1", 100),
        PageCase("Calendar page", "agent", "/calendar/", 100),
        PageCase("Notifications", "agent", "/notifications/", 100),
        PageCase("Home, agent (my day, my goals)", "agent", "/", 100),
        PageCase("Goals of the month, manager (every agent's)", "manager", "/goals/", 100),
        PageCase(
            f"Forecast, whole team, 12 months ({size.opportunities:,} cards)",
            "manager",
            "/goals/forecast/?months=12",
            300,
        ),
        PageCase("Forecast, agent", "agent", "/goals/forecast/", 100),
        # Exact figures from the tallies (tallies.triggers): no cache, so cold is warm.
        PageCase("Dashboard, manager", "manager", "/reports/dashboard/", 300, max_queries=DASHBOARD_QUERIES),
        PageCase("Dashboard, agent", "agent", "/reports/dashboard/", 100, max_queries=DASHBOARD_QUERIES),
        # The longest range the dashboard allows (10 years, counted per month).
        PageCase(
            "Dashboard, manager, ten years by month",
            "manager",
            f"/reports/dashboard/?date_from={ten_years}",
            300,
            max_queries=DASHBOARD_QUERIES,
        ),
    ]


@dataclass
class Measured:
    case: PageCase
    timings_ms: list[float]
    queries: int
    status: int

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def ok(self) -> bool:
        within = self.median < self.case.median_ms and (
            self.case.p95_ms is None or self.p95 < self.case.p95_ms
        )
        return within and self.status == 200 and self.queries <= self.case.max_queries


def measure(facts: dict, runs: int = 20, warmup: int = 3) -> list[Measured]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who in ("manager", "agent"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(facts[who])
        clients[who] = client
    results = []
    for case in cases(facts):
        client = clients[case.who]
        headers = {"HX-Request": "true"} if "count=1" in case.url else {}
        for _ in range(warmup):
            client.get(case.url, headers=headers)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(case.url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(case.url, headers=headers)
        results.append(Measured(case, timings, len(queries), response.status_code))
    return results


def lines(results: list[Measured]) -> list[tuple[str, str, str, str, str]]:
    """The table's rows; each median also as a multiple of the calibration's (x n)."""
    out = []
    base = next((r.median for r in results if r.case.label == CALIBRATION), None)
    for r in results:
        target = f"< {r.case.median_ms:.0f} ms" + (f", p95 < {r.case.p95_ms:.0f}" if r.case.p95_ms else "")
        result = "ok" if r.ok else "MISSED"
        if r.status != 200:
            result += f" (HTTP {r.status})"
        ratio = f" (x{r.median / base:.0f})" if base and r.case.label != CALIBRATION else ""
        out.append(
            (
                f"{r.case.label} [{r.queries} queries]",
                f"{r.median:.1f} ms{ratio}",
                f"{r.p95:.1f} ms",
                target,
                result,
            )
        )
    return out
