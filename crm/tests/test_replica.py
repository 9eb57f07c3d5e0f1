"""A real streaming replica of the test database's server (pg_basebackup of the
embedded PostgreSQL, started in standby): with it configured, the dashboard
reads from the replica while every write goes to the primary."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from django.urls import reverse

from crm.routers import REPLICA
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def _run_as() -> dict:
    # As root, pgserver runs PostgreSQL as its own system user; the replica does the same.
    return {"user": "pgserver"} if os.geteuid() == 0 else {}


@pytest.fixture(scope="session")
def replica_server(django_db_setup, django_db_blocker):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the replica test clones the embedded PostgreSQL (DATABASE_URL is set)")
    from pgserver._commands import pg_basebackup, pg_ctl

    with django_db_blocker.unblock():
        primary = dict(connection.settings_dict)
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(pg_database_size(datname)) FROM pg_database")
            size = cursor.fetchone()[0]
    if size > 2 * 2**30:
        pytest.skip(
            f"the embedded server holds {size / 2**30:.1f} GB (make bench's database?): too much to clone"
        )
    host = primary["OPTIONS"].get("host") or primary["HOST"]
    folder = Path(tempfile.mkdtemp(prefix="crm-rep-", dir="/tmp"))
    data = folder / "data"
    if _run_as():
        shutil.chown(folder, user="pgserver")
    pg_basebackup(
        ["-D", str(data), "-h", host, "-U", primary["USER"], "-X", "stream", "-R", "-c", "fast"],
        **_run_as(),
    )
    options = f"-k {folder} -h '' -c hot_standby=on -c port={primary.get('PORT') or 5432}"
    pg_ctl(["-w", "-o", options, "-l", str(folder / "log"), "start"], pgdata=data, **_run_as(), timeout=60)
    try:
        yield str(folder)
    finally:
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=data, **_run_as(), timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _replica_sql(host: str, sql: str):
    settings = connection.settings_dict
    port = settings.get("PORT") or 5432
    with psycopg.connect(
        host=host, port=port, dbname=settings["NAME"], user=settings["USER"], autocommit=True
    ) as c:
        return c.execute(sql).fetchone()


def _caught_up(host: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = _replica_sql(host, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
        if done:
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


@pytest.fixture(scope="module", autouse=True)
def with_replica(replica_server):
    """REPLICA_DATABASE_URL as the settings read it: a 'replica' connection (a test
    mirror of default for Django's test machinery: never flushed, never created)."""
    replica = {
        "HOST": replica_server,
        "OPTIONS": {},
        "TEST": {**connection.settings_dict["TEST"], "MIRROR": "default"},
    }
    connections.settings[REPLICA] = connections.settings["default"] | replica
    yield replica_server
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def _people_on_dashboard(client) -> int:
    chart = next(
        c for c in client.get(reverse("reports:dashboard")).context["charts"] if c.slug == "people-by-stage"
    )
    return sum(chart.chart()["datasets"][0]["data"])


def test_reports_read_the_replica_and_writes_go_to_the_primary(with_replica, admin_client, admin_user):
    PersonFactory(owner=admin_user)
    _caught_up(with_replica)
    assert _replica_sql(with_replica, "SELECT pg_is_in_recovery()")[0] is True
    assert _people_on_dashboard(admin_client) == 1
    # The replica stops replaying: what the primary writes now, only the primary has.
    _replica_sql(with_replica, "SELECT pg_wal_replay_pause()")
    try:
        response = admin_client.post(
            reverse("people:create"),
            {"first_name": "Nueva", "last_name": "Persona", "stage": "prospect", "owner": admin_user.pk},
        )
        assert response.status_code == 302  # written: the primary took it (the replica is read-only)
        assert Person.objects.count() == 2
        assert _people_on_dashboard(admin_client) == 1  # the dashboard reads the paused replica
        assert "Nueva Persona" in admin_client.get(reverse("people:list")).content.decode()  # pages: primary
    finally:
        _replica_sql(with_replica, "SELECT pg_wal_replay_resume()")
    _caught_up(with_replica)
    assert _people_on_dashboard(admin_client) == 2
