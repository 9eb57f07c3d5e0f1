"""The embedded mail server: an SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message
it receives for the Outbox page, so that without a real mail server (no EMAIL_URL) the CRM's
mail works end to end under `make run`, and tests send through a real SMTP conversation."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import unescape

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections

_TAGS = re.compile(r"<[^>]+>")
BODY_MAX = 100_000


def parse(raw: bytes) -> EmailMessage:
    """A whole message (RFC 5322 bytes) as the standard library reads it."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def text_of(message: EmailMessage) -> str:
    """What a message says, as plain text: its text part, else its HTML without the tags; an
    unknown charset read as UTF-8 with replacements; no NUL bytes."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):  # an unknown charset
        text = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        text = unescape(_TAGS.sub("", text))
    return text.replace("\x00", "").replace("\r\n", "\n").strip()[:BODY_MAX]


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
