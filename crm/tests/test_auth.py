import pytest
from django.test import Client
from django.urls import reverse

from crm.models import User

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(reverse("crm:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_and_out(alice):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:home")
    assert client.get(reverse("crm:home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("crm:home")).status_code == 302


def test_wrong_password_shows_an_error_and_keeps_the_username(alice):
    response = Client().post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b'value="alice"' in response.content


def test_user_changes_own_password(alice_client, alice):
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-long-phrase",
            "new_password2": "another-long-phrase",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another-long-phrase")


def test_language_choice_is_remembered_on_the_user(alice_client, alice):
    response = alice_client.post(reverse("crm:set_language"), {"language": "pt-br", "next": "/"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "pt-br"
    # From any browser: the saved language wins over the browser's.
    other = Client(headers={"accept-language": "en"})
    other.force_login(alice)
    page = other.get(reverse("crm:home"))
    assert page["Content-Language"] == "pt-br"
    assert "Sair" in page.content.decode()  # "Sign out"


def test_signed_in_user_sees_their_language(db):
    user = User.objects.create_user("lu", "lu@example.com", "long-password-1", name="Lu", language="es")
    client = Client()
    client.force_login(user)
    assert "Cerrar sesión" in client.get(reverse("crm:home")).content.decode()


def test_language_switch_ignores_foreign_redirects(alice_client):
    response = alice_client.post(
        reverse("crm:set_language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_unknown_language_is_ignored(alice_client, alice):
    alice_client.post(reverse("crm:set_language"), {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "en"


def test_anonymous_language_switch_sets_the_cookie():
    client = Client()
    response = client.post(reverse("crm:set_language"), {"language": "pt-br", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "pt-br"
    assert "Entrar" in client.get(reverse("login")).content.decode()


def test_navigation_shows_each_role_only_its_modules(alice_client, admin_client):
    agent_page = alice_client.get(reverse("crm:home")).content.decode()
    admin_page = admin_client.get(reverse("crm:home")).content.decode()
    users_url = reverse("crm:users")
    assert f'href="{users_url}"' not in agent_page
    assert f'href="{users_url}"' in admin_page


def test_friendly_404_page(alice_client):
    response = alice_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
