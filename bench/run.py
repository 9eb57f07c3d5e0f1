"""`make bench`: the CRM on a million people, with targets.

    python bench/run.py [--scale 1] [--runs 20] [--io-runs 3] [--load-seconds 120] [--users 100]
                        [--skip-io] [--skip-load] [--skip-channels] [--skip-automations] [--skip-costs]
                        [--members 500]
                        [--database crm_bench]

1. Builds (once, reused) the data set in a database of its own (bench/dataset.py).
2. Measures the heaviest pages, warm, through Django's test client: median, p95 and
   query count next to each target (bench/pages.py).
3. Import and export at scale (bench/people_io.py).
4. Channels: a campaign email through one worker and the embedded SMTP server, and the time
   from an answer in the mailbox to the timeline, with IMAP IDLE and polling (bench/channels.py).
5. Automations: a save with 50 active rules, and the periodic check for idle cards
   (bench/automations.py).
6. Load: gunicorn with the README's worker count on loopback, and locust (headless, one
   process) simulating agents who browse, search and save edits (bench/load.py).

Prints one table; docs/performance.md keeps the results with the machine they ran on.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import people_io  # noqa: E402


def machine() -> str:
    import os

    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def run(args) -> str:
    from django.db import connection

    from bench import dataset, pages

    started = time.perf_counter()
    facts = dataset.build(args.scale)
    built = time.perf_counter() - started
    lines = pages.lines(pages.measure(facts, runs=args.runs))
    extra = []
    if not args.skip_costs:
        from bench import costs

        extra.append(costs.lines(facts))
    if not args.skip_io:
        io_text = people_io.run(facts["size"].people, args.rows, args.io_runs, args.baseline_rows)
        extra.append(io_text)
    if not args.skip_channels:
        from bench import channels

        extra.append("\n".join(channels.lines(members=args.members)))
    if not args.skip_automations:
        from bench import automations

        extra.append("\n".join(automations.lines()))
    if not args.skip_load:
        from bench import load

        result = load.run(users=args.users, seconds=args.load_seconds, facts=facts)
        lines += load.lines(result)
        extra.append(load.cpu_lines(result))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    head = f"machine: {machine()}, PostgreSQL {server}; data set ready in {built:.0f} s"
    return "\n".join([head, "", people_io.report(lines), *extra])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a million people (default)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--io-runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the import file")
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=100, help="simulated agents of the load test")
    parser.add_argument("--load-seconds", type=int, default=120)
    parser.add_argument("--skip-io", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-channels", action="store_true")
    parser.add_argument("--skip-automations", action="store_true")
    parser.add_argument("--skip-costs", action="store_true", help="no profile of the load test's mix")
    parser.add_argument("--members", type=int, default=500, help="recipients of the campaign email")
    parser.add_argument("--database", default="crm_bench")
    args = parser.parse_args(argv)
    people_io.setup_database(args.database)
    print(run(args), flush=True)


if __name__ == "__main__":
    main()
