"""Benchmark of people import and export at scale (`make bench`).

    python bench/people_io.py [--people 1000000] [--rows 100000] [--runs 3]

Builds (once, reused) a benchmark database next to the project's with
``--people`` people loaded by COPY, writes a CSV of ``--rows`` rows as users
have them (mostly new people, some updates by email or phone, duplicates
within the file, invalid rows), and measures warm, over ``--runs`` runs:

- our import, end to end (read, clean, deduplicate against the CRM, write),
  each run rolled back so every run starts from the same data;
- django-import-export's plain row-by-row import of a slice of the same
  file, for the ratio;
- the CSV export of every person (streamed), with the process's peak memory.

It prints a table of median and p95 per figure next to its target.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = [
    "José",
    "María",
    "Carlos",
    "Lucía",
    "João",
    "Ana",
    "Pedro",
    "Sofía",
    "Diego",
    "Júlia",
    "Andrés",
    "Camila",
]
LAST = [
    "García",
    "Pérez",
    "Silva",
    "Souza",
    "Rojas",
    "Flores",
    "Oliveira",
    "Núñez",
    "Costa",
    "Vargas",
    "Peña",
]
CITIES = ["Lima", "Cusco", "São Paulo", "Bogotá", "Santiago", "Ciudad de México", "Quito", "Arequipa"]


def setup_database(name: str) -> None:
    """Point Django at database ``name`` on the project's server, creating it."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        from crm.embedded_db import embedded_database_url

        url = embedded_database_url(ROOT / ".data" / "postgres")
    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    # Pages are rendered without collectstatic: static names as they are.
    os.environ.setdefault("STATIC_MANIFEST", "0")
    # Uploaded benchmark files go to a throwaway folder.
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="crm-bench-media-")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def agents(count: int = 30):
    from crm.models import User

    users = []
    for n in range(count):
        user, _ = User.objects.get_or_create(
            username=f"bench-agent-{n}", defaults={"name": f"Agente {n}", "role": User.Role.AGENT}
        )
        users.append(user)
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"name": "Bench Admin", "role": User.Role.ADMIN}
    )
    return admin, users


SPREAD = datetime.timedelta(days=5 * 365)
ONE_DAY = datetime.timedelta(days=1)


def spread_dates() -> None:
    """People built by an earlier version were all created within the build's minute: their
    creation dates are spread over five years, as real data's are (once)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(created_at) - min(created_at) < interval '1 day', max(id) FROM people_person"
        )
        clustered, top = cursor.fetchone()
        if not clustered or top is None:
            return
        started = time.perf_counter()
        seconds = SPREAD.total_seconds() / top
        cursor.execute(
            "UPDATE people_person SET "
            "created_at = now() - (%(top)s - id) * %(step)s * interval '1 second', "
            "updated_at = least(now(), now() - (%(top)s - id) * %(step)s * interval '1 second' "
            "+ (id %% 200) * interval '1 day'), "
            "discarded_at = CASE WHEN discarded_at IS NULL THEN NULL "
            "ELSE now() - (%(top)s - id) * %(step)s / 2 * interval '1 second' END",
            {"top": top, "step": seconds},
        )
        cursor.execute("VACUUM (ANALYZE) people_person")  # a million rows rewritten: their old versions go
    print(f"spread the people's dates over five years in {time.perf_counter() - started:.0f} s", flush=True)


def build_people(total: int, owners, discarded_share: float = 0.1) -> None:
    """``total`` people by COPY (skipped when they are there already)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from people.models import Person

    have = Person.objects.count()
    if have >= total:
        return
    rng = random.Random(1)
    now = timezone.now()
    started = time.perf_counter()
    # Created over five years, in the order of their ids, as a team's people come in.
    step = SPREAD / max(total, 1)
    columns = [
        "first_name", "last_name", "email", "phone", "mobile", "city", "country", "source", "stage",
        "owner_id", "notes", "discard_reason", "created_at", "updated_at", "discarded_at",
    ]  # fmt: skip
    copy_sql = f"COPY people_person ({', '.join(columns)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for n in range(have, total):
            copy.write_row(
                [
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    f"p{n}@bench.example",
                    f"+5190{n:07d}",
                    "",
                    rng.choice(CITIES),
                    "PE",
                    "import",
                    rng.choice(["prospect", "interested", "client"]),
                    owners[n % len(owners)].pk,
                    "",
                    "",
                    now - (total - n) * step,
                    now - (total - n) * step + min((total - n) * step, ONE_DAY * rng.randrange(0, 200)),
                    now - (total - n) * step / 2 if rng.random() < discarded_share else None,
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
    print(f"built {total - have} people in {time.perf_counter() - started:.1f} s", flush=True)


def make_csv(path: Path, rows: int, existing: int, seed: int = 7) -> None:
    """A file as users have them: 70% new, 20% updates by email, 5% by phone,
    3% repeated within the file, 2% invalid; `;` and Windows-1252."""
    rng = random.Random(seed)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Nombre", "Apellido", "Correo", "Teléfono", "Ciudad", "Etiquetas"])
        for n in range(rows):
            kind = rng.random()
            first, last, city = rng.choice(FIRST), rng.choice(LAST), rng.choice(CITIES)
            if kind < 0.70:
                writer.writerow([first, last, f"new{n}@bench.example", f"+5191{n:07d}", city, ""])
            elif kind < 0.90:
                k = rng.randrange(existing)
                writer.writerow([first, last, f"p{k}@bench.example", "", "Trujillo", ""])
            elif kind < 0.95:
                k = rng.randrange(existing)
                writer.writerow([first, last, "", f"+51 90{k:07d}", "Piura", ""])
            elif kind < 0.98:
                writer.writerow([first, last, f"new{max(n - 1, 0)}@bench.example", "", city, ""])
            else:
                writer.writerow([first, last, "not-an-email", "", city, ""])


def _rolled_back(function):
    """Run ``function`` in a transaction that is rolled back; its time."""
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic():
        result = function()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, result


def measure_import(path: Path, user, runs: int) -> tuple[list[float], object]:
    from django.core.files import File

    from crm import importing

    timings, counts = [], None
    for _ in range(runs):

        def run():
            with path.open("rb") as handle:
                job = importing.start_job(
                    user=user, upload=File(handle, name=path.name), owner=user, stage="prospect", tags=[]
                )
            return importing.run(job)

        elapsed, counts = _rolled_back(run)
        timings.append(elapsed)
        vacuum()
    return timings, counts


def vacuum() -> None:
    """Clear what a rolled-back run left behind (dead rows, index entries),
    so every run meets the tables as real use would."""
    from django.db import connection

    if connection.in_atomic_block:  # a test's transaction: nothing to clear
        return
    with connection.cursor() as cursor:
        for table in ("people_person", "people_person_tags", "people_personevent", "companies_membership"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def measure_baseline(path: Path, rows: int) -> float:
    """django-import-export's row-by-row import of the first ``rows`` rows."""
    import tablib

    from people.resources import PersonResource

    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        data = tablib.Dataset(headers=["first_name", "last_name", "email", "phone", "city", "tags"])
        for index, row in enumerate(reader):
            if index >= rows:
                break
            data.append(row)
    # The admin's resource needs an owner: give every row the first agent.
    from crm.models import User

    owner = User.objects.filter(username="bench-agent-0").values_list("pk", flat=True).first()
    data.append_col([owner] * len(data), header="owner")

    def run():
        return PersonResource().import_data(data, dry_run=False, raise_errors=False, use_transactions=False)

    elapsed, _result = _rolled_back(run)
    return len(data) / elapsed


class PeakMemory:
    """The process's peak resident memory while the block runs (sampled)."""

    def __enter__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def measure_export(user, runs: int) -> tuple[list[float], int, int]:
    from django.http import QueryDict

    from crm.exports import SOURCES

    timings, rows, peak = [], 0, 0
    for _ in range(runs):
        with PeakMemory() as memory:
            started = time.perf_counter()
            # As the export view does: the rows counted for the audit, then the file streamed.
            pieces, queryset = SOURCES["people"].csv(user, QueryDict(""))
            rows = queryset.count()
            deque(pieces, maxlen=0)  # the file read to its end, kept nowhere
            timings.append(time.perf_counter() - started)
        peak = max(peak, memory.peak)
    return timings, rows, peak


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(lines: list[tuple[str, str, str, str, str]]) -> str:
    header = ("figure", "median", "p95", "target", "result")
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(5)]
    out = []
    for row in [header, *lines]:
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if row is header:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def run(people: int, rows: int, runs: int, baseline_rows: int) -> str:
    from crm.models import User

    admin, owners = agents()
    build_people(people, owners)
    vacuum()
    existing = people
    # Export first: the import's buffers would count in the process's peak memory.
    export_times, exported, peak = measure_export(User.objects.get(pk=admin.pk), runs)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-people.csv"
        make_csv(path, rows, existing)
        import_times, counts = measure_import(path, admin, runs)
        baseline = measure_baseline(path, min(baseline_rows, rows))
    import_rate = [rows / t for t in import_times]
    export_rate = [exported / t for t in export_times]
    lines = [
        (
            f"import {rows:,} rows vs {people:,} people (rows/s)",
            f"{statistics.median(import_rate):,.0f}",
            f"{min(import_rate):,.0f}",
            ">= 20,000",
            "ok" if statistics.median(import_rate) >= 20_000 else "MISSED",
        ),
        (
            "django-import-export row by row (rows/s)",
            f"{baseline:,.0f}",
            "",
            "reference",
            f"ours x{statistics.median(import_rate) / baseline:,.0f}",
        ),
        (
            f"export {exported:,} rows as CSV (rows/s)",
            f"{statistics.median(export_rate):,.0f}",
            f"{min(export_rate):,.0f}",
            ">= 150,000",
            "ok" if statistics.median(export_rate) >= 150_000 else "MISSED",
        ),
        (
            "export peak memory of the process (MB)",
            f"{peak / 2**20:,.0f}",
            "",
            "< 200",
            "ok" if peak < 200 * 2**20 else "MISSED",
        ),
    ]
    text = report(lines)
    text += f"\nimport counts (last run): {counts.line()}; import seconds: {', '.join(f'{t:.2f}' for t in import_times)}"
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--database", default="crm_bench")
    args = parser.parse_args(argv)
    setup_database(args.database)
    print(run(args.people, args.rows, args.runs, args.baseline_rows), flush=True)


if __name__ == "__main__":
    main()
