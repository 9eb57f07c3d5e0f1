"""Requests the CRM makes to other servers (webhooks): only to public addresses.

An address an administrator types is resolved and every address it resolves to
must be public (no loopback, private, link-local, multicast, reserved or shared
ranges, IPv4, IPv6 and IPv4-mapped IPv6 alike), at registration and again at
every delivery; the connection then goes to the address that was checked, so a
name that resolves elsewhere a moment later reaches nothing new. Redirects are
not followed. ``WEBHOOK_ALLOW_PRIVATE=1`` allows private targets (on-premise
installs, the tests' local receiver).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Refused(ValidationError):
    """The address may not be reached; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the connection goes to


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if allow_private:
        return not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int, *, allow_private: bool, internal: str) -> str:
    """``host``'s first address, once every address it resolves to may be reached; else
    Refused, with ``internal`` (naming %(host)s) when one is internal."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(_("The address %(host)s cannot be found.") % {"host": host}) from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address.split("%", 1)[0]), allow_private):
            raise Refused(internal % {"host": host})
    return addresses[0]


def check_host(host: str, port: int) -> str:
    """A mail server's host (a mailbox a user connects), resolved: its first address, once
    every address it resolves to is public, or private ones are allowed (MAIL_ALLOW_PRIVATE,
    for a server on the office's network); else Refused."""
    return _resolve(
        host,
        port,
        allow_private=settings.MAIL_ALLOW_PRIVATE,
        internal=_("%(host)s is an internal address: the CRM connects only to public mail servers."),
    )


def check(url: str) -> Target:
    """The URL's target once its scheme and every address it resolves to pass; else Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(_("Enter a valid web address.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(_("Only http:// and https:// addresses can receive webhooks."))
    port = port or (443 if parts.scheme == "https" else 80)
    address = _resolve(
        parts.hostname,
        port,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
        internal=_("%(host)s is an internal address: webhooks go only to public servers."),
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, address)


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self.address = target.address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> tuple[int | None, str]:
    """POST ``body`` to ``url`` (checked first): (status code or None, a short reason)."""
    try:
        target = check(url)
    except Refused as refused:
        return None, str(refused.messages[0])[:300]
    connection_class = _HTTPSConnection if target.scheme == "https" else _HTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, "" if 200 <= response.status < 300 else (response.reason or "")[:300]
    except TimeoutError:
        return None, "timeout"
    except ConnectionRefusedError:
        return None, "connection refused"
    except ssl.SSLError:
        return None, "TLS error"
    except (OSError, http.client.HTTPException):
        return None, "connection failed"
    finally:
        connection.close()
