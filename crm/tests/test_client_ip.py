"""One reading of the client's address (crm.clientip) for limits, lockouts and logs."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from crm.clientip import client_ip


def _request(forwarded=None):
    extra = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("behind", "trusted", "forwarded", "expected"),
    [
        (False, 1, "198.51.100.1", "10.0.0.2"),
        (True, 1, None, "10.0.0.2"),
        (True, 1, "198.51.100.1", "198.51.100.1"),
        (True, 1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (True, 2, "6.6.6.6, 198.51.100.1, 172.16.0.3", "198.51.100.1"),
        (True, 2, "198.51.100.1", "10.0.0.2"),
        (True, 1, "not-an-address", "10.0.0.2"),
        (True, 1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_from_the_right_past_trusted_proxies(
    settings, behind, trusted, forwarded, expected
):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = behind, trusted
    assert client_ip(_request(forwarded)) == expected


def test_the_sign_in_lockout_uses_the_same_reading(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "crm.clientip.client_ip"
