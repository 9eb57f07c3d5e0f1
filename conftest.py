"""Personas shared by every app's tests: an admin, a manager, alice (the agent
who owns the records) and bob (another agent)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.test import Client

from crm.models import User
from crm.tests.factories import UserFactory
from crm.tests.network import free_port

# The browser journeys' fixtures (Chromium, a journey's tab, the task worker).
pytest_plugins = ["crm.tests.browser"]

# The test databases are copies of one migrated template: migrating takes half a minute, and
# each xdist worker migrating its own on two cores took longer still. The template is kept
# between runs while the migrations, and what runs after them (the history's trigger helpers,
# the tallies' triggers), are the same (their digest is its comment).
TEMPLATE_ENV = "CRM_TEST_DB_TEMPLATE"


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in [
        *sorted(root.glob("*/migrations/*.py")),
        root / "crm/history.py",
        root / "tallies/triggers.py",
    ]:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:40]


def _build_template() -> str:
    """Migrate the template database once, unless it is up to date; returns its name."""
    from django.core.management import call_command
    from django.db import connections

    connection = connections["default"]
    name = connection.creation._get_test_db_name() + "_template"
    digest = _migrations_digest()
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        )
        row = cursor.fetchone()
        if row is not None and row[0] == digest:
            return name
        quoted = connection.ops.quote_name(name)
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted}")
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {quoted} IS %s", [digest])
    return name


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    from django.db import connections

    if not hasattr(session.config, "workerinput"):
        # The controller (or a run without workers), before any worker starts.
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            os.environ[TEMPLATE_ENV] = _build_template()
    template = os.environ.get(TEMPLATE_ENV)
    if template:
        connections["default"].settings_dict.setdefault("TEST", {})["TEMPLATE"] = template


# The files that take longest (browsers, the walks over every route) start first: under
# --dist loadfile a long file handed out last keeps one worker busy while the other waits.
LONG_FILES = (
    "test_journey",
    "test_write_walk",
    "test_hostile_requests",
    "test_access_walk",
    "test_bad_input",
)


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: not item.path.name.startswith(LONG_FILES))  # stable: order kept within


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # English is the source language; translations have tests of their own.
    settings.LANGUAGE_CODE = "en"
    # Hashing dominates user creation otherwise.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DUPLICATES_CACHE_SECONDS = 0
    # The navigation's counts are counted on every page (their keeping has tests of its own).
    settings.USER_FIGURES_SECONDS = 0
    # Uploads and exports go to a folder of the test's own.
    settings.MEDIA_ROOT = tmp_path / "media"
    # No collectstatic before tests: serve static names as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="admin", name="Ada Admin", role=User.Role.ADMIN)


@pytest.fixture
def manager(db) -> User:
    return UserFactory(username="manager", name="Mara Manager", role=User.Role.MANAGER)


@pytest.fixture
def alice(db) -> User:
    return UserFactory(username="alice", name="Alice Agent", role=User.Role.AGENT)


@pytest.fixture
def bob(db) -> User:
    return UserFactory(username="bob", name="Bob Agent", role=User.Role.AGENT)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user) -> Client:
    return _client_for(admin_user)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return _client_for(bob)


# Mail through a real SMTP conversation. ---------------------------------------------------


class _Received:
    """An SMTP server's handler keeping what arrives in memory (messages: email.message objects)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope) -> str:
        from email import policy
        from email.parser import BytesParser

        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        message.recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def _send_to(settings, port: int) -> None:
    import logging

    # aiosmtpd logs every SMTP command; its goodbyes after a test's end would only be noise.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_ENABLED = True
    # The task worker's work done at once: the immediate backend runs a task when it is
    # enqueued, that is when the sending commits (django_capture_on_commit_callbacks in a test
    # that keeps its transaction).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free port, the CRM sending to it; what arrives is in
    ``smtp.handler.messages``, parsed, each with its ``recipients``."""
    from aiosmtpd.controller import Controller

    server = Controller(_Received(), hostname="127.0.0.1", port=free_port())
    server.start()
    _send_to(settings, server.port)
    yield server
    server.stop()


@pytest.fixture
def smtp_outbox(settings):
    """The CRM's own mail server (activities.mail), which stores what arrives for the Outbox
    page: from another thread, so the test must commit (django_db(transaction=True))."""
    from activities.mail import outbox_server

    server = outbox_server(port=free_port())
    server.start()
    _send_to(settings, server.port)
    yield server
    server.stop()


# A real IMAP server (Debian's dovecot) that the tests start. ------------------------------


@pytest.fixture
def imap_server(settings):
    """A real IMAP server with the mailboxes agent@crm.test, team@crm.test and
    other@crm.test, each with the password ``secret``."""
    import os

    if not os.path.exists("/usr/sbin/dovecot"):
        if os.environ.get("IMAP_TESTS") == "required":
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("dovecot is not installed (make test installs it: dovecot-imapd)")
    from crm.tests.dovecot import Dovecot

    settings.MAIL_ALLOW_PRIVATE = True  # the test's server listens on 127.0.0.1
    server = Dovecot(["agent@crm.test", "team@crm.test", "other@crm.test"])
    yield server
    server.stop()
