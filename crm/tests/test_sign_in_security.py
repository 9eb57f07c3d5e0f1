"""Sign-in protections: lockout per username and address, no user enumeration, idle expiry."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"


def _sign_in(username, password, address="198.51.100.9"):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def test_repeated_failures_lock_the_username_and_address_pair(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in("alice", "wrong").status_code == 200
    locked = _sign_in("alice", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password waits out the pause from that address...
    assert _sign_in("alice", GOOD).status_code == 429
    # ...while the same user from another address, and another user from it, still get in.
    assert _sign_in("alice", GOOD, address="203.0.113.50").status_code == 302


def test_a_success_resets_the_count(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in("alice", "wrong")
    assert _sign_in("alice", GOOD).status_code == 302
    assert _sign_in("alice", "wrong").status_code == 200


def test_unknown_and_known_users_get_the_same_answer(alice):
    known = _sign_in("alice", "wrong")
    unknown = _sign_in("nobody-here", "wrong")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_a_locked_out_unknown_user_looks_like_a_known_one(alice):
    for username in ("alice", "ghost"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = _sign_in(username, "wrong")
        assert response.status_code == 429


def test_sessions_expire_after_inactivity_and_activity_renews_them(alice, settings):
    from django.contrib.sessions.models import Session

    client = Client()
    assert client.post(reverse("login"), {"username": "alice", "password": GOOD}).status_code == 302
    stored = Session.objects.get()
    assert (stored.expire_date - timezone.now()).total_seconds() == pytest.approx(
        settings.SESSION_COOKIE_AGE, abs=5
    )
    # Pretend the user went idle for most of the allowance, then came back.
    session = client.session
    session["_seen"] = 0
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=60))
    assert client.get(reverse("crm:home")).status_code == 200
    renewed = Session.objects.get()
    assert (renewed.expire_date - timezone.now()).total_seconds() > 120
    # An expired session means signing in again.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("crm:home")).status_code == 302


def test_weak_passwords_are_refused(alice_client, alice):
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": GOOD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(GOOD)


def test_password_reset_never_says_whether_an_email_has_an_account(alice, mailoutbox):
    alice.email = "alice@equipo.pe"
    alice.save()
    known = Client().post(reverse("password_reset"), {"email": "ALICE@equipo.pe"})
    unknown = Client().post(reverse("password_reset"), {"email": "nadie@equipo.pe"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@equipo.pe"]


def test_password_reset_link_sets_a_new_password_once(alice, mailoutbox):
    import re

    alice.email = "alice@equipo.pe"
    alice.save()
    Client().post(reverse("password_reset"), {"email": "alice@equipo.pe"})
    link = re.search(r"https?://[^/]+(/\S+)", mailoutbox[0].body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new = "otra-frase-bastante-larga"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert not Client().get(link, follow=True).context["validlink"]


def test_password_reset_is_limited_per_address_and_per_client_with_the_same_answer(
    alice, mailoutbox, settings
):
    settings.PASSWORD_RESET_PER_ADDRESS, settings.PASSWORD_RESET_PER_CLIENT = 3, 10
    alice.email = "alice@equipo.pe"
    alice.save()
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(reverse("password_reset"), {"email": "alice@equipo.pe"})
        for n in range(15)
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    assert len(mailoutbox) == 3
    # One client asking for many addresses is limited too.
    for n in range(12):
        User = type(alice)
        User.objects.create_user(username=f"u{n}", email=f"u{n}@equipo.pe", password="x-Long-Pass-42")
    client = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(12):
        assert client.post(reverse("password_reset"), {"email": f"u{n}@equipo.pe"}).status_code == 302
    assert len(mailoutbox) == 3 + 10
