"""Mailbox passwords, kept encrypted (Fernet) with a key from the environment: MAILBOX_KEY,
else one derived from SECRET_KEY. A password is never shown again once saved."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.MAILBOX_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(f"mailbox:{settings.SECRET_KEY}".encode()).digest()
    )
    return Fernet(key)


def hide(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode()


def reveal(token: str) -> str:
    """The password, or "" when the key changed since it was saved (the mailbox then says
    it cannot sign in, and its owner types the password again)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""
