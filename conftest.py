"""Personas shared by every app's tests: an admin, a manager, alice (the agent
who owns the records) and bob (another agent)."""

from __future__ import annotations

import pytest
from django.test import Client

from crm.models import User
from crm.tests.factories import UserFactory
from crm.tests.network import free_port

# The browser journeys' fixtures (Chromium, a journey's tab, the task worker).
pytest_plugins = ["crm.tests.browser"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # English is the source language; translations have tests of their own.
    settings.LANGUAGE_CODE = "en"
    # Hashing dominates user creation otherwise.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every request computes the dashboard (its cache has a test of its own).
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.DUPLICATES_CACHE_SECONDS = 0
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


class Dovecot:
    """dovecot serving one mailbox per user of ``users`` (password ``secret``) on a free port
    of 127.0.0.1, mail kept under ``root``."""

    def __init__(self, root, users: list[str]):
        import getpass
        import os
        import subprocess

        self.root, self.port, self.users = root, free_port(), users
        for name in ("run", "state", "mail"):
            (root / name).mkdir()
        # As root, mail is kept by Debian's dovecot user; otherwise by whoever runs the tests.
        mail_user = "dovecot" if os.geteuid() == 0 else getpass.getuser()
        login_user = "dovenull" if os.geteuid() == 0 else mail_user
        if os.geteuid() == 0:
            import shutil

            shutil.chown(root / "mail", user="dovecot", group="dovecot")
        (root / "users").write_text("".join(f"{user}:{{PLAIN}}secret::::::\n" for user in users))
        (root / "dovecot.conf").write_text(
            f"""first_valid_uid = 1
first_valid_gid = 1
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
default_internal_user = {mail_user}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )
        self.process = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", str(root / "dovecot.conf")])
        _wait_for_port(self.port)

    def deliver(self, user: str, raw: bytes) -> None:
        """A message arrives in ``user``'s INBOX (APPEND, as a delivery agent would put it)."""
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(user, "secret")
        client.append("INBOX", None, None, raw)
        client.logout()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on {port}")


@pytest.fixture
def imap_server():
    """A real IMAP server with the mailboxes agent@crm.test, team@crm.test and
    other@crm.test, each with the password ``secret``."""
    import os

    if not os.path.exists("/usr/sbin/dovecot"):
        if os.environ.get("IMAP_TESTS") == "required":
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("dovecot is not installed (make test installs it: dovecot-imapd)")
    import shutil
    import tempfile
    from pathlib import Path

    # Short (dovecot's sockets live there) and open to dovecot's own user, unlike tmp_path.
    root = Path(tempfile.mkdtemp(prefix="imap-"))
    root.chmod(0o755)
    server = Dovecot(root, ["agent@crm.test", "team@crm.test", "other@crm.test"])
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
