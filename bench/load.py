"""Load: gunicorn with the README's worker count on a loopback port, and locust
(headless, one process) simulating agents for a bounded time."""

from __future__ import annotations

import csv
import json
import os
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


@dataclass
class LoadResult:
    users: int
    seconds: int
    requests: int
    failures: int
    p95_ms: float
    median_ms: float
    rps: float

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.p95_ms < P95_TARGET_MS and self.requests > 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plan(facts: dict, folder: Path, people_per_agent: int = 200) -> Path:
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
    from bench.dataset import PASSWORD

    path = folder / "plan.json"
    path.write_text(
        json.dumps(
            {"agents": agents, "boards": boards, "password": PASSWORD, "cookie": settings.SESSION_COOKIE_NAME}
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


def run(users: int, seconds: int, facts: dict, host: str | None = None) -> LoadResult:
    """Start gunicorn (unless ``host`` is given), run locust against it, read its stats."""
    with tempfile.TemporaryDirectory(prefix="crm-load-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "BENCH_PLAN": str(plan(facts, folder)),
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
                cwd=ROOT, env=env,
            )  # fmt: skip
        try:
            if server is not None:
                _wait_until_up(host, server)
            subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
                 "--host", host, "--csv", str(folder / "load"), "--only-summary", "--loglevel", "WARNING",
                 "--stop-timeout", "5"],
                cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=seconds + 120,
            )  # fmt: skip
            return _read(folder / "load_stats.csv", users, seconds)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)


def _read(path: Path, users: int, seconds: int) -> LoadResult:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    for row in rows:
        if row["Name"] != "Aggregated":
            print(
                f"  {row['Type']:<5} {row['Name']:<32} {row['Request Count']:>6} requests, "
                f"{row['Failure Count']} errors, median {row['50%']} ms, p95 {row['95%']} ms",
                flush=True,
            )
    return LoadResult(
        users=users,
        seconds=seconds,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        p95_ms=float(total["95%"]),
        median_ms=float(total["50%"]),
        rps=float(total["Requests/s"]),
    )


def lines(result: LoadResult) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            f"Load: {result.users} agents for {result.seconds} s, gunicorn {WORKERS} workers "
            f"({result.requests:,} requests, {result.failures} errors, {result.rps:.1f} req/s)",
            f"{result.median_ms:.0f} ms",
            f"{result.p95_ms:.0f} ms",
            f"0 errors, p95 < {P95_TARGET_MS} ms",
            "ok" if result.ok else "MISSED",
        )
    ]
