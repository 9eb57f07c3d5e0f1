"""CPU per request for the load test (bench/load.py): a middleware, on when BENCH_CPU_LOG
names a file, that appends for each request its kind (the URL's name and the method), the
worker's CPU time (the application) and its PostgreSQL backend's CPU time (the database,
from /proc: the benchmark runs both on one machine), in milliseconds.

The backend's figure has the kernel's tick as resolution (10 ms); averaged over thousands of
requests it is the mean all the same."""

from __future__ import annotations

import os
import time

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
    return (int(fields[11]) + int(fields[12])) * TICK_MS


class CpuMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.fd = os.open(os.environ["BENCH_CPU_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __call__(self, request):
        from django.db import connection

        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        app, db = time.process_time(), backend_cpu_ms(pid)
        response = self.get_response(request)
        app_ms = (time.process_time() - app) * 1000
        db_ms = backend_cpu_ms(pid) - db if connection.connection is not None else 0.0
        match = request.resolver_match
        kind = f"{request.method} {match.view_name if match else 'other'}"
        os.write(self.fd, f"{kind}\t{app_ms:.3f}\t{db_ms:.3f}\n".encode())
        return response


def summary(path: str) -> list[tuple[str, int, float, float]]:
    """(kind, requests, application ms per request, database ms per request), busiest first."""
    totals: dict[str, list[float]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            kind, app, db = line.rstrip("\n").split("\t")
            entry = totals.setdefault(kind, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += float(app)
            entry[2] += float(db)
    rows = [(kind, int(n), app / n, db / n) for kind, (n, app, db) in totals.items()]
    return sorted(rows, key=lambda row: -row[1] * (row[2] + row[3]))
