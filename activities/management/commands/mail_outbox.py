"""The embedded mail server for `make run` (activities.mail): every message the CRM sends
without EMAIL_URL arrives here and shows on the Outbox page.

    python manage.py mail_outbox [--port 2525]
"""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from activities.mail import outbox_server


class Command(BaseCommand):
    help = "Run the embedded SMTP server whose messages the Outbox page shows."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.OUTBOX_PORT)

    def handle(self, *args, port: int, **options):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # not every SMTP command
        server = outbox_server(port=port)
        server.start()
        self.stdout.write(f"Mail outbox listening on 127.0.0.1:{port} (the Outbox page shows what arrives).")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
