"""Backups of the whole database with pg_dump's custom format, and their restore.

`make backup` writes `backups/crm-<date>.dump`; `make restore FILE=...` puts one back.
The PostgreSQL client programs come from PG_BIN when set, else from the embedded
PostgreSQL (pgserver ships them), else from PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


class BackupError(Exception):
    """pg_dump or pg_restore failed; the message holds what they said."""


def program(name: str) -> str:
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - only without the requirements
        pass
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise ImproperlyConfigured(f"{name} was not found: install the PostgreSQL client or set PG_BIN.")
    return found


def _environment(database: dict) -> dict[str, str]:
    """libpq's variables for one entry of settings.DATABASES (no password on the command line)."""
    env = dict(os.environ)
    options = database.get("OPTIONS") or {}
    values = {
        "PGHOST": database.get("HOST") or options.get("host"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _run(arguments: list[str], database: dict) -> None:
    result = subprocess.run(arguments, env=_environment(database), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{arguments[0]} exited with {result.returncode}")


def dump(path: Path, database: dict) -> Path:
    """Write the whole database to `path` (custom format, compressed); written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        _run(
            [program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
            database,
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return path


def restore(path: Path, database: dict) -> None:
    """Replace the database's contents with the backup's, in one transaction: all or nothing."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    _run(
        [
            program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={database['NAME']}",
            str(path),
        ],
        database,
    )
