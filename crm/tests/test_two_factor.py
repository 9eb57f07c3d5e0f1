"""Two-factor sign-in with time-based codes (django-otp TOTP)."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """django-otp waits longer after every wrong code; the tests try a right one at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


GOOD = "correct-horse-battery"


def _code(device: TOTPDevice, shift: int = 0) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift + shift)).zfill(
        device.digits
    )


def _sign_in(username, password, code="", address="192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password, "otp_token": code})
    return client, response


def test_a_user_turns_it_on_with_the_qr_code_and_a_code(alice_client, alice):
    page = alice_client.get(reverse("crm:two_factor"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    wrong = alice_client.post(
        reverse("crm:two_factor"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "token" in wrong.context["form"].errors
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    alice_client.post(reverse("crm:two_factor"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert alice_client.get(reverse("crm:two_factor")).context["state"] == "on"


def test_sign_in_then_asks_for_the_code(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    _client, without = _sign_in("alice", GOOD)
    assert without.status_code == 200
    assert without.context["form"].non_field_errors()
    _client, wrong = _sign_in("alice", GOOD, code="12345")
    assert wrong.status_code == 200
    client, right = _sign_in("alice", GOOD, code=_code(device))
    assert right.status_code == 302
    assert client.get(reverse("crm:home")).status_code == 200


def test_the_answer_does_not_tell_who_uses_two_factor(alice, bob):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    _c, bad_password = _sign_in("bob", "wrong", address="192.0.2.11")
    _c, bad_code = _sign_in("alice", GOOD, code="000", address="192.0.2.12")
    _c, nobody = _sign_in("nobody", "wrong", address="192.0.2.13")
    for response in (bad_password, bad_code, nobody):
        assert response.status_code == 200
        assert "otp_token" in response.context["form"].fields


def test_required_for_admins_and_managers(settings, manager_client, alice_client, manager):
    settings.TWO_FACTOR_REQUIRED = True
    response = manager_client.get(reverse("people:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("crm:two_factor"))
    assert alice_client.get(reverse("people:list")).status_code == 200  # agents may choose
    manager_client.get(reverse("crm:two_factor"))
    device = TOTPDevice.objects.get(user=manager)
    manager_client.post(reverse("crm:two_factor"), {"token": _code(device)})
    assert manager_client.get(reverse("people:list")).status_code == 200
    # Their role cannot turn it off.
    manager_client.post(reverse("crm:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


def test_turning_it_off(alice_client, alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    alice_client.post(reverse("crm:two_factor"), {"token": _code(device)})
    alice_client.post(reverse("crm:two_factor_disable"))
    assert not TOTPDevice.objects.filter(user=alice).exists()
    _client, response = _sign_in("alice", GOOD)
    assert response.status_code == 302


def test_the_admin_site_signs_in_through_the_crm_sign_in(admin_user):
    admin_user.set_password(GOOD)
    admin_user.save()
    TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    client = Client()
    page = client.get("/django-admin/login/?next=/django-admin/")
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    client.post("/django-admin/login/?next=/django-admin/", {"username": "admin", "password": GOOD})
    for path in ("/", "/people/", "/admin-users/", "/api/tokens/", "/django-admin/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain, path
        assert response.request["PATH_INFO"] in (reverse("login"), reverse("crm:two_factor")), path


def test_a_session_that_has_not_passed_the_code_reaches_no_page(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = Client()
    client.force_login(alice)  # as any other way in than the CRM's sign-in would
    response = client.get(reverse("people:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("crm:two_factor"))
    assert client.get("/api/v1/people/").status_code in (302, 401, 403)
    client.post(reverse("crm:two_factor"), {"token": _code(device)})
    assert client.get(reverse("people:list")).status_code == 200
