"""`make run`: the development server and the background task worker together."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


def close_connections_after_each_request() -> None:
    """The development server answers each request in a thread of its own: a kept
    connection per thread soon passes PostgreSQL's client limit. Here (and in the
    autoreloader's child and the worker, through the environment) every request
    closes its connection; gunicorn keeps DB_CONN_MAX_AGE."""
    os.environ["DB_CONN_MAX_AGE"] = "0"
    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0


class Command(BaseCommand):
    help = "Serve the CRM with runserver and run the task worker (db_worker) beside it."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        close_connections_after_each_request()
        helpers = []
        # The autoreloader runs this command again in a child process
        # (RUN_MAIN=true); only the outer process starts the worker and the outbox.
        if os.environ.get("RUN_MAIN") != "true":
            helpers.append(subprocess.Popen([sys.executable, "manage.py", "worker"]))
            self.stdout.write(f"Task worker started (pid {helpers[-1].pid}).")
            # What customers write, read as it arrives (activities.imap, in IMAP IDLE).
            helpers.append(subprocess.Popen([sys.executable, "manage.py", "mail_listen"]))
            if settings.EMAIL_OUTBOX:
                helpers.append(subprocess.Popen([sys.executable, "manage.py", "mail_outbox"]))
                self.stdout.write("No EMAIL_URL: mail goes to the embedded outbox (menu: Outbox).")
        try:
            call_command("runserver", addrport)
        finally:
            for helper in helpers:
                helper.terminate()
                helper.wait(timeout=10)
