"""`make bench`: the CRM on a million people, with targets.

    python bench/run.py [--scale 1] [--runs 20] [--io-runs 3] [--load-seconds 120] [--users 100]
                        [--skip-io] [--skip-load] [--skip-channels] [--skip-automations] [--skip-costs]
                        [--members 500] [--growth 0.1] [--pages-only] [--json FILE]
                        [--database crm_bench]

1. Builds (once, reused) the data set in a database of its own (bench/dataset.py).
2. Measures the heaviest pages, warm, through Django's test client: median, p95 and
   query count next to each target (bench/pages.py); and the same pages on a data set a tenth
   the size (``--growth``, its own database, built once), with each page's growth ratio.
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


def smaller(args) -> list[dict] | None:
    """The pages at ``args.growth`` times the size, measured by a run of its own on a database
    of its own (built once, like the main one): [{label, median, p95}] in the cases' order."""
    if not args.growth:
        return None
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pages.json"
        subprocess.run(
            [sys.executable, "-W", "ignore", __file__, "--scale", str(args.scale * args.growth),
             "--database", f"{args.database}_growth", "--runs", str(args.runs), "--pages-only",
             "--growth", "0", "--json", str(out)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return json.loads(out.read_text())


def growth_lines(small: list[dict], large: list, scale: float, small_scale: float) -> str:
    """Each page's p95 at both sizes and their ratio, also as measured against each run's
    calibration (the trivial view: the two runs are minutes apart on a machine whose speed
    drifts). Goal: at most 1.3 — a page whose cost grows with the data is a bug."""
    from bench.pages import CALIBRATION

    def calibration(rows) -> float:
        return next((row for row in rows if row[0] == CALIBRATION), (CALIBRATION, 1.0))[1] or 1.0

    small_rows = [(row["label"], row["median"], row["p95"]) for row in small]
    large_rows = [(m.case.label, m.median, m.p95) for m in large]
    drift = calibration(large_rows) / calibration(small_rows)
    rows = [
        ("page", f"p95 at {small_scale:g}", f"p95 at {scale:g}", "ratio", "against the calibration", "result")
    ]
    for before, after in zip(small_rows, large_rows, strict=True):
        if after[0] == CALIBRATION:
            continue
        ratio = after[2] / before[2] if before[2] else 0
        calibrated = ratio / drift
        rows.append(
            (after[0], f"{before[2]:.1f} ms", f"{after[2]:.1f} ms", f"x{ratio:.2f}", f"x{calibrated:.2f}",
             "ok" if calibrated <= 1.3 else "MISSED")
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = [
        f"Growth: every page at scale {small_scale:g} and {scale:g} (goal: p95 ratio at most 1.3; the "
        f"calibration's median was x{drift:.2f} in the second run)"
    ]
    for row in rows:
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(out)


def run(args) -> str:
    from django.db import connection

    from bench import dataset, pages

    small = smaller(args)
    started = time.perf_counter()
    facts = dataset.build(args.scale)
    built = time.perf_counter() - started
    measured = pages.measure(facts, runs=args.runs)
    if args.json:
        import json

        Path(args.json).write_text(
            json.dumps([{"label": m.case.label, "median": m.median, "p95": m.p95} for m in measured])
        )
    lines = pages.lines(measured)
    print(people_io.report(lines), flush=True)  # as soon as measured; the whole table again at the end
    extra = []
    if small is not None:
        extra.append(growth_lines(small, measured, args.scale, args.scale * args.growth))
        print(extra[-1], flush=True)
    if args.pages_only:
        args.skip_costs = args.skip_io = args.skip_channels = args.skip_automations = args.skip_load = True
    if not args.skip_costs:
        from bench import costs

        extra.append(costs.lines(facts))
        print(extra[-1], flush=True)
    if not args.skip_io:
        io_text = people_io.run(facts["size"].people, args.rows, args.io_runs, args.baseline_rows)
        extra.append(io_text)
        print(io_text, flush=True)
    if not args.skip_channels:
        from bench import channels

        extra.append("\n".join(channels.lines(members=args.members)))
        print(extra[-1], flush=True)
    if not args.skip_automations:
        from bench import automations

        extra.append("\n".join(automations.lines()))
        print(extra[-1], flush=True)
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
    parser.add_argument(
        "--growth",
        type=float,
        default=0.1,
        help="also measure the pages at this fraction of the size (0: no)",
    )
    parser.add_argument("--pages-only", action="store_true", help="measure the pages only")
    parser.add_argument("--json", help="write the pages' figures to this file")
    args = parser.parse_args(argv)
    people_io.setup_database(args.database)
    print(run(args), flush=True)


if __name__ == "__main__":
    main()
