"""Read the mailboxes as messages arrive (activities.imap.listen): a thread per active mailbox,
in IDLE where its server has it. Mailboxes connected, changed or removed are noticed within a
minute. The task worker's polling (MAIL_POLL_SECONDS) covers servers without IDLE.

    python manage.py mail_listen
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from activities import imap
from activities.models import Mailbox

RELOAD_SECONDS = 60


def _key(mailbox: Mailbox) -> tuple:
    return (
        mailbox.pk,
        mailbox.host,
        mailbox.port,
        mailbox.use_ssl,
        mailbox.username,
        mailbox.password_encrypted,
        mailbox.folder,
    )


class Command(BaseCommand):
    help = "Read every active mailbox as messages arrive (IMAP IDLE)."

    def handle(self, *args, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        listening: dict[tuple, tuple[threading.Event, threading.Thread]] = {}
        try:
            while not stop.is_set():
                close_old_connections()
                wanted = {_key(m): m for m in Mailbox.objects.filter(active=True)}
                for key in set(listening) - set(wanted):
                    listening.pop(key)[0].set()
                for key in set(wanted) - set(listening):
                    own = threading.Event()
                    thread = threading.Thread(target=imap.listen, args=(wanted[key], own), daemon=True)
                    thread.start()
                    listening[key] = (own, thread)
                self.stdout.write(f"Listening to {len(listening)} mailboxes.")
                stop.wait(RELOAD_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            for own, _thread in listening.values():
                own.set()
