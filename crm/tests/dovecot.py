"""A real IMAP server for the tests and the benchmark: Debian's dovecot, started on a free
port of 127.0.0.1 with a configuration of its own (no system service involved)."""

from __future__ import annotations

import getpass
import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from crm.tests.network import free_port

DOVECOT = "/usr/sbin/dovecot"


class Dovecot:
    """dovecot serving one mailbox per user of ``users`` (password ``secret``) on a free port
    of 127.0.0.1, mail kept in a folder of its own."""

    def __init__(self, users: list[str]):
        # Short (dovecot's sockets live there) and open to dovecot's own user, unlike pytest's
        # tmp_path.
        root = Path(tempfile.mkdtemp(prefix="imap-"))
        root.chmod(0o755)
        self.root, self.port, self.users = root, free_port(), users
        for name in ("run", "state", "mail"):
            (root / name).mkdir()
        # As root, mail is kept by Debian's dovecot user; otherwise by whoever runs the tests.
        mail_user = "dovecot" if os.geteuid() == 0 else getpass.getuser()
        login_user = "dovenull" if os.geteuid() == 0 else mail_user
        if os.geteuid() == 0:
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
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")])
        _wait_for_port(self.port)

    def deliver(self, user: str, raw: bytes) -> None:
        """A message arrives in ``user``'s INBOX (APPEND, as a delivery agent would put it)."""
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(user, "secret")
        client.append("INBOX", None, None, raw)
        client.logout()

    def stop(self) -> None:
        # Killed, not asked to stop: the tests' mail is throwaway, and dovecot's own shutdown
        # waits a second for its processes. Its processes end when they lose their master.
        self.process.kill()
        self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on {port}")
