"""Load: gunicorn with the README's worker count on a loopback port, and locust
(headless, one process) simulating agents and API scripts for a bounded time, with the CPU
time of every request (bench/cpu.py) summed by kind."""

from __future__ import annotations

import csv
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The worker count gunicorn.conf.py (the README's production set-up) starts: 2 per core, plus one.
WORKERS = 2 * (os.cpu_count() or 1) + 1
P95_TARGET_MS = 250
# The API scripts: how many, and their rate limit (API_RATE) during the test; each goes at 90% of it.
SCRIPTS = 20
SCRIPT_RATE_PER_MINUTE = 60


@dataclass
class Stats:
    requests: int = 0
    failures: int = 0
    p95_ms: float = 0.0
    median_ms: float = 0.0
    rps: float = 0.0


@dataclass
class LoadResult:
    users: int
    scripts: int
    seconds: int
    agents: Stats
    api: Stats
    cpu: list  # (kind, requests, application ms, database ms) per request kind
    generator_cpu_s: float = 0.0  # the load generator's own CPU time (locust, on the same cores)

    @property
    def ok(self) -> bool:
        return (
            self.agents.failures == 0
            and self.api.failures == 0
            and self.agents.p95_ms < P95_TARGET_MS
            and self.agents.requests > 0
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plan(facts: dict, folder: Path, scripts: int, people_per_agent: int = 200) -> Path:
    """Who signs in and what they visit: each agent's own people, the boards."""
    from crm.models import User
    from opportunities.models import Pipeline
    from people.models import Person

    agents = []
    for user in User.objects.filter(username__startswith="bench-agent-").order_by("username"):
        people = list(
            Person.objects.filter(owner=user, discarded_at=None)
            .order_by("id")
            .values_list("id", flat=True)[:people_per_agent]
        )
        if people:
            agents.append({"username": user.username, "people": people, "session": _session(user)})
    boards = list(Pipeline.objects.filter(name__startswith="Bench board").values_list("id", flat=True))
    from api.models import ApiToken
    from bench.dataset import PASSWORD

    # The scripts' tokens, one per agent (the first ``scripts`` agents), made afresh for each run.
    ApiToken.objects.filter(name="bench script").delete()
    tokens = []
    for agent in agents[:scripts]:
        user = User.objects.get(username=agent["username"])
        _token, text = ApiToken.issue(user=user, name="bench script")
        tokens.append({"token": text, "people": agent["people"]})
    path = folder / "plan.json"
    path.write_text(
        json.dumps(
            {
                "agents": agents,
                "boards": boards,
                "password": PASSWORD,
                "cookie": settings.SESSION_COOKIE_NAME,
                "scripts": tokens,
                "script_count": len(tokens),
                "script_rate": 0.9 * SCRIPT_RATE_PER_MINUTE / 60,
            }
        )
    )
    return path


def _session(user) -> str:
    """A signed-in session of ``user``: the simulated agents are at work already
    (signing in, a password hash each, is not what a working day is made of)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "crm.backends.CrmBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def run(users: int, seconds: int, facts: dict, host: str | None = None, scripts: int = SCRIPTS) -> LoadResult:
    """Start gunicorn (unless ``host`` is given), run locust against it, read its stats."""
    with tempfile.TemporaryDirectory(prefix="crm-load-") as tmp:
        folder = Path(tmp)
        cpu_log = folder / "cpu.tsv"
        env = {
            **os.environ,
            "BENCH_PLAN": str(plan(facts, folder, scripts)),
            "BENCH_CPU_LOG": str(cpu_log),
            "API_RATE": f"{SCRIPT_RATE_PER_MINUTE}/minute",
            "STATIC_MANIFEST": "0",
            "DEBUG": "0",
            "PYTHONWARNINGS": "ignore",
        }
        server = None
        if host is None:
            port = _free_port()
            host = f"http://127.0.0.1:{port}"
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "crm.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(WORKERS), "--timeout", "60", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        try:
            if server is not None:
                _wait_until_up(host, server)
            # locust is the only child reaped while it runs (gunicorn is waited for after it).
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust = subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "--users", str(users + scripts), "--spawn-rate", str(max(10, (users + scripts) // 5)), "--run-time", f"{seconds}s",
                 "--host", host, "--csv", str(folder / "load"), "--only-summary", "--loglevel", "WARNING",
                 "--stop-timeout", "5"],
                cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=seconds + 120, text=True,
            )  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            generator = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            from bench import cpu

            if not (folder / "load_stats.csv").exists():
                raise RuntimeError(f"locust wrote no figures:\n{locust.stderr[-3000:]}")
            agents, api = _read(folder / "load_stats.csv")
            summary = cpu.summary(str(cpu_log)) if cpu_log.exists() else []
            return LoadResult(
                users=users, scripts=scripts, seconds=seconds, agents=agents, api=api, cpu=summary,
                generator_cpu_s=generator,
            )  # fmt: skip
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)


def _read(path: Path) -> tuple[Stats, Stats]:
    """The agents' and the scripts' figures (the scripts' request names start with "api ");
    percentiles of each part weighted by its requests."""
    with path.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    parts = {"agents": [], "api": []}
    for row in rows:
        parts["api" if row["Name"].startswith("api ") else "agents"].append(row)
        print(
            f"  {row['Type']:<5} {row['Name']:<36} {row['Request Count']:>6} requests, "
            f"{row['Failure Count']} errors, median {row['50%']} ms, p95 {row['95%']} ms",
            flush=True,
        )
    return _stats(parts["agents"]), _stats(parts["api"])


def _stats(rows: list[dict]) -> Stats:
    if not rows:
        return Stats()
    count = sum(int(row["Request Count"]) for row in rows)

    def percentile(column: str, share: float) -> float:
        # The smallest of the rows' percentiles below which that share of all requests falls.
        ordered = sorted(rows, key=lambda row: float(row[column] or 0))
        seen = 0
        for row in ordered:
            seen += int(row["Request Count"])
            if seen >= share * count:
                return float(row[column] or 0)
        return float(ordered[-1][column] or 0)

    return Stats(
        requests=count,
        failures=sum(int(row["Failure Count"]) for row in rows),
        p95_ms=percentile("95%", 0.95),
        median_ms=percentile("50%", 0.5),
        rps=sum(float(row["Requests/s"]) for row in rows),
    )


def lines(result: LoadResult) -> list[tuple[str, str, str, str, str]]:
    agents, api = result.agents, result.api
    return [
        (
            f"Load: {result.users} agents and {result.scripts} API scripts for {result.seconds} s, gunicorn "
            f"{WORKERS} workers (agents {agents.requests:,} requests, {agents.failures} errors, "
            f"{agents.rps:.1f} req/s; scripts {api.requests:,} requests, {api.failures} errors, {api.rps:.1f} req/s)",
            f"{agents.median_ms:.0f} ms",
            f"{agents.p95_ms:.0f} ms",
            f"0 errors, p95 < {P95_TARGET_MS} ms",
            "ok" if result.ok else "MISSED",
        ),
        (
            f"Load: the API scripts' requests (at {SCRIPT_RATE_PER_MINUTE}/minute each)",
            f"{api.median_ms:.0f} ms",
            f"{api.p95_ms:.0f} ms",
            "0 errors",
            "ok" if api.failures == 0 and api.requests else "MISSED",
        ),
    ]


def cpu_lines(result: LoadResult) -> str:
    """CPU milliseconds per request by kind: the application's (the gunicorn worker) and the
    database's (its PostgreSQL backend), the busiest kinds first."""
    out = ["CPU per request during the load test (ms; application | database | requests):"]
    total_app = sum(n * app for _kind, n, app, _db in result.cpu)
    total_db = sum(n * db for _kind, n, _app, db in result.cpu)
    for kind, n, app, db in result.cpu:
        out.append(f"  {kind:<48} {app:7.1f} | {db:6.1f} | {n:6,}")
    if result.cpu:
        requests = sum(n for _kind, n, _app, _db in result.cpu)
        out.append(
            f"  {'all requests (mean)':<48} {total_app / requests:7.1f} | {total_db / requests:6.1f} | {requests:6,}"
        )
        out.append(
            f"  the load generator (locust): {result.generator_cpu_s:.1f} s of CPU, "
            f"{1000 * result.generator_cpu_s / requests:.1f} ms per request"
        )
    return "\n".join(out)
