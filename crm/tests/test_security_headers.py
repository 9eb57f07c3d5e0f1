"""Every page is served with a strict Content-Security-Policy and the usual protections."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("name", ["crm:home", "people:list", "opportunities:list", "reports:dashboard"])
def test_pages_forbid_inline_scripts_and_framing(alice_client, name):
    response = alice_client.get(reverse(name))
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_sign_in_page_has_the_policy_too(client):
    assert "default-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_templates_hold_no_inline_scripts_or_handlers():
    """The policy would block them: behaviour lives in static/js, data in json_script."""
    offenders = []
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\son(click|change|submit|load|input|keyup|keydown)=", text):
            offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []
