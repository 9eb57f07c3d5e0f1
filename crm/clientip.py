"""The client's address, read one way for the lead-form limit, the sign-in
lockout (django-axes) and the password-reset limit.

Without ``BEHIND_PROXY`` the address is the connection's (``REMOTE_ADDR``): an
``X-Forwarded-For`` header is anyone's to forge. Behind the project's proxies
it is read from the right of ``X-Forwarded-For``: each of the
``TRUSTED_PROXIES`` proxies appended the address it was connected from, so the
entry they appended first is the client's; whatever the client itself sent
stands further left and is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if not settings.BEHIND_PROXY:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    trusted = settings.TRUSTED_PROXIES
    if trusted < 1 or len(hops) < trusted:
        return remote
    return _address(hops[-trusted]) or remote
