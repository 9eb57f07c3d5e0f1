"""The project-local PostgreSQL used when DATABASE_URL is unset.

Every process of the project (web server, task worker, tests, management
commands) calls :func:`embedded_database_url`; the first one starts the server
in ``.data/postgres`` and the others reuse it. The server is left running when
a process exits, so data and the warm server survive between runs.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def embedded_database_url(data_dir: Path) -> str:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); pgserver
    # then keeps its lock file under /tmp, which is what we want.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - only without the requirements
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the 'pgserver' package is not installed. "
            "Run `make run` (it installs the requirements into .venv) or set "
            "DATABASE_URL=postgres://user:password@host:5432/dbname."
        ) from exc

    try:
        _repair_handle_list(data_dir)
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _create_sized(data_dir)
        # cleanup_mode=None: never stop the server when one of the processes
        # sharing it exits; the others (runserver, worker, xdist) still need it.
        server = pgserver.get_server(data_dir, cleanup_mode=None)
        uri = server.get_uri()
        _size_to_the_machine(uri, data_dir)
        return uri
    except Exception as exc:
        log = data_dir / "log"
        raise ImproperlyConfigured(
            f"Could not start the embedded PostgreSQL in {data_dir}: {exc!r}. "
            f"See its log in {log} if it exists. Free disk space or remove a stale "
            f"{data_dir} (its data is lost), or set DATABASE_URL to an external "
            "PostgreSQL server, e.g. DATABASE_URL=postgres://user:password@host:5432/dbname."
        ) from exc


def shared_buffers_mb(memory_bytes: int) -> int:
    """PostgreSQL's own cache for this machine: a quarter of its memory, from 128 MB (the
    default) to 4 GB. A virtual machine may drop the system's file cache under pressure; what
    PostgreSQL keeps in its own stays."""
    return max(128, min(4096, memory_bytes // 4 // 2**20))


def _machine_size() -> int:
    import psutil

    return shared_buffers_mb(psutil.virtual_memory().total)


def _create_sized(data_dir: Path) -> None:
    """A new data directory is created as pgserver creates it (``initdb``), under pgserver's
    lock, and its cache sized before the server's first start: a fresh clone's first run (the
    benchmark's, CI's) has the cache it will keep. The rest of the start is pgserver's."""
    from pgserver.postgres_server import PostgresServer

    if (data_dir / "PG_VERSION").exists():
        return
    with PostgresServer._lock:
        if (data_dir / "PG_VERSION").exists():  # another process made it meanwhile
            return
        data_dir.mkdir(exist_ok=True)
        server = PostgresServer.__new__(PostgresServer)  # pgserver's own initdb, without a start
        server.pgdata = data_dir.resolve()
        server.system_user, server.postgres_user = None, "postgres"
        if os.name == "posix" and os.geteuid() == 0:  # PostgreSQL refuses to run as root
            from pgserver.utils import ensure_user_exists

            server.system_user = "pgserver"
            ensure_user_exists(server.system_user)
        server.ensure_pgdata_inited()
        size = _machine_size()
        with open(data_dir / "postgresql.auto.conf", "a") as conf:
            conf.write(f"shared_buffers = '{size}MB'\n")
        (data_dir / ".sized").write_text(f"{size}MB\n")


def _size_to_the_machine(uri: str, data_dir: Path) -> None:
    """A data directory made before its size was chosen at creation (_create_sized): the size
    is written into its configuration once (``ALTER SYSTEM``), and takes effect from the
    server's next start, as any change of it does. A marker file keeps every later process
    from asking again."""
    marker = data_dir / ".sized"
    if marker.exists():
        return
    import psycopg

    size = _machine_size()
    with psycopg.connect(uri, autocommit=True) as connection:
        connection.execute(f"ALTER SYSTEM SET shared_buffers = '{size}MB'")
    marker.write_text(f"{size}MB\n")


def _repair_handle_list(data_dir: Path) -> None:
    """pgserver keeps the ids of the processes using the server in a JSON
    file; a process killed while writing it leaves it empty or cut, and then
    every start fails. The list only decides when to stop the server, which
    we never ask for (cleanup_mode=None), so an unreadable one is reset —
    under pgserver's own lock: read or reset while another process starting
    at the same moment writes it, the file looked cut to one of them, which
    then failed to start (`make run` starts five processes at once)."""
    from pgserver.postgres_server import PostgresServer

    handles = data_dir / ".handle_pids.json"
    with PostgresServer._lock:
        try:
            json.loads(handles.read_text())
        except FileNotFoundError:
            return
        except (ValueError, OSError):
            handles.write_text("[]")
