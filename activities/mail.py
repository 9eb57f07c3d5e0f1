"""The embedded mail server: an SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message
it receives for the Outbox page, so that without a real mail server (no EMAIL_URL) the CRM's
mail works end to end under `make run`, and tests send through a real SMTP conversation."""

from __future__ import annotations

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections


class OutboxHandler:
    """Keeps each message (activities.services.outbox_store)."""

    async def handle_DATA(self, server, session, envelope) -> str:
        await sync_to_async(self._store, thread_sensitive=False)(
            envelope.mail_from or "", list(envelope.rcpt_tos), envelope.original_content or envelope.content
        )
        return "250 Message accepted for delivery"

    @staticmethod
    def _store(mail_from: str, recipients: list[str], raw: bytes) -> None:
        from activities.services import outbox_store

        close_old_connections()
        try:
            outbox_store(mail_from=mail_from, recipients=recipients, raw=raw)
        finally:
            close_old_connections()


def outbox_server(host: str = "127.0.0.1", port: int = 2525) -> Controller:
    """A started-when-you-call-start() SMTP server storing into the outbox."""
    return Controller(OutboxHandler(), hostname=host, port=port)
