import psutil
import pytest

from crm.embedded_db import _repair_handle_list, shared_buffers_mb


def test_a_cut_process_list_is_reset(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    for broken in ("", "[12, 3", "null}"):
        handles.write_text(broken)
        _repair_handle_list(tmp_path)
        assert handles.read_text() == "[]"


def test_a_good_process_list_is_kept(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    handles.write_text("[4, 5]")
    _repair_handle_list(tmp_path)
    assert handles.read_text() == "[4, 5]"
    _repair_handle_list(tmp_path / "missing")  # no folder yet: nothing to do


def test_the_list_is_read_and_reset_under_pgservers_lock(tmp_path):
    """`make run` starts five processes at once: one reading or resetting the list while another
    wrote it under pgserver's lock made a start fail now and then (6 of 90 in a trial)."""
    import subprocess
    import sys
    import threading

    handles = tmp_path / ".handle_pids.json"
    handles.write_text("[12, 3")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pgserver.postgres_server import PostgresServer as P\n"
            "with P._lock:\n print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"  # another process writes the list
        repair = threading.Thread(target=_repair_handle_list, args=(tmp_path,))
        repair.start()
        repair.join(timeout=0.5)
        assert repair.is_alive()  # waits for the lock instead of reading a list being written
        assert handles.read_text() == "[12, 3"
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    repair.join(timeout=10)
    assert handles.read_text() == "[]"


@pytest.mark.parametrize(
    ("memory_gib", "expected_mb"), [(0.25, 128), (2, 512), (8, 2048), (24, 4096), (256, 4096)]
)
def test_postgresql_keeps_a_quarter_of_the_memory_from_128_mb_to_4_gb(memory_gib, expected_mb):
    assert shared_buffers_mb(int(memory_gib * 2**30)) == expected_mb


def test_the_embedded_server_is_sized_once(db):
    """The size is written into the server's configuration (it applies from its next start)."""
    import os

    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        pytest.skip("an external server keeps its own configuration")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setting FROM pg_file_settings WHERE name = 'shared_buffers' "
            "AND sourcefile LIKE '%%postgresql.auto.conf'"
        )
        assert cursor.fetchone()[0] == f"{shared_buffers_mb(psutil.virtual_memory().total)}MB"


def test_a_new_embedded_server_starts_with_its_size(tmp_path):
    """A fresh clone's first run (CI's, the benchmark's) has the cache it will keep, not
    PostgreSQL's 128 MB until a restart."""
    import pgserver
    import psycopg

    from crm.embedded_db import _create_sized

    data_dir = tmp_path / "postgres"
    _create_sized(data_dir)
    _create_sized(data_dir)  # once made, left as it is
    with pgserver.get_server(data_dir, cleanup_mode="delete") as server:
        with psycopg.connect(server.get_uri()) as connection:
            size = connection.execute("SHOW shared_buffers").fetchone()[0]
        marker = (data_dir / ".sized").read_text()
    expected = shared_buffers_mb(psutil.virtual_memory().total)
    assert size == (f"{expected // 1024}GB" if expected % 1024 == 0 else f"{expected}MB")
    assert marker == f"{expected}MB\n"
