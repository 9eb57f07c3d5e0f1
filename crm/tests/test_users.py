import pytest
from django.test import Client
from django.urls import reverse

from crm.models import User
from crm.tests.factories import PASSWORD, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_users_with_filters(admin_client, alice, bob, manager):
    response = admin_client.get(reverse("crm:users"), {"role": "agent"})
    assert response.status_code == 200
    page = list(response.context["page"])
    assert set(page) == {alice, bob}


def test_user_search_matches_name_username_or_email(admin_client, alice, bob):
    response = admin_client.get(reverse("crm:users"), {"q": "ALICE"})
    assert list(response.context["page"]) == [alice]


def test_user_list_htmx_returns_only_the_rows(admin_client, alice):
    response = admin_client.get(reverse("crm:users"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Alice Agent" in response.content


@pytest.mark.parametrize("count", [3, 60])
def test_user_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries, count):
    UserFactory.create_batch(count)
    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("crm:users"))
    assert response.status_code == 200


def test_admin_creates_an_agent(admin_client):
    response = admin_client.post(
        reverse("crm:user_create"),
        {
            "username": "carla",
            "name": "  Carla   Rojas ",
            "email": "carla@example.com",
            "role": "agent",
            "language": "es",
            "password1": "a-long-safe-passphrase",
            "password2": "a-long-safe-passphrase",
        },
    )
    assert response.status_code == 302
    carla = User.objects.get(username="carla")
    assert carla.name == "Carla Rojas"
    assert carla.role == User.Role.AGENT
    assert carla.check_password("a-long-safe-passphrase")


def test_a_users_name_is_not_checked_against_activity_categories(admin_client, alice):
    """A user may be called like an activity category (the name check once read the categories)."""
    CategoryFactory(name="Soporte")
    data = {"name": "Soporte", "email": "", "role": "agent", "language": "es"}
    response = admin_client.post(
        reverse("crm:user_create"),
        {
            **data,
            "username": "soporte",
            "password1": "a-long-safe-passphrase",
            "password2": "a-long-safe-passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="soporte").name == "Soporte"
    response = admin_client.post(reverse("crm:user_edit", args=[alice.pk]), {**data, "name": "  Soporte  "})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.name == "Soporte"


def test_create_user_with_bad_input_keeps_what_was_typed(admin_client, alice):
    response = admin_client.post(
        reverse("crm:user_create"),
        {
            "username": "alice",
            "name": "Second Alice",
            "email": "not-an-email",
            "role": "agent",
            "language": "es",
            "password1": "123",
            "password2": "456",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "username" in form.errors
    assert "email" in form.errors
    assert "password2" in form.errors
    assert b'value="Second Alice"' in response.content
    assert User.objects.filter(name="Second Alice").count() == 0


def test_weak_password_is_refused(admin_client):
    response = admin_client.post(
        reverse("crm:user_create"),
        {
            "username": "weak",
            "name": "Weak",
            "role": "agent",
            "language": "es",
            "password1": "password",
            "password2": "password",
        },
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="weak").exists()


def test_admin_changes_a_role(admin_client, alice):
    response = admin_client.post(
        reverse("crm:user_edit", args=[alice.pk]),
        {"name": "Alice A.", "email": "alice@example.com", "role": "manager", "language": "pt-br"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.name, alice.role, alice.language) == ("Alice A.", "manager", "pt-br")


def test_last_admin_cannot_lose_the_role(admin_client, admin_user):
    response = admin_client.post(
        reverse("crm:user_edit", args=[admin_user.pk]),
        {"name": "Ada", "email": "", "role": "agent", "language": "en"},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_an_admin_can_step_down_when_another_remains(admin_client, admin_user):
    UserFactory(username="admin2", role=User.Role.ADMIN)
    response = admin_client.post(
        reverse("crm:user_edit", args=[admin_user.pk]),
        {"name": "Ada", "email": "", "role": "manager", "language": "en"},
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.role == "manager"


def test_deactivated_user_cannot_sign_in_and_is_signed_out(admin_client, alice, alice_client):
    assert alice_client.get(reverse("crm:home")).status_code == 200
    response = admin_client.post(reverse("crm:user_deactivate", args=[alice.pk]))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    # Her open session no longer works, and signing in again is refused.
    assert alice_client.get(reverse("crm:home")).status_code == 302
    response = Client().post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_admin_cannot_deactivate_themself(admin_client, admin_user):
    response = admin_client.post(reverse("crm:user_deactivate", args=[admin_user.pk]), follow=True)
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert "cannot deactivate your own account" in response.content.decode()


def test_admin_reactivates_a_user(admin_client, alice):
    alice.is_active = False
    alice.save()
    admin_client.post(reverse("crm:user_activate", args=[alice.pk]))
    alice.refresh_from_db()
    assert alice.is_active


def test_admin_sets_a_new_password(admin_client, alice):
    response = admin_client.post(
        reverse("crm:user_password", args=[alice.pk]),
        {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand-new-passphrase")


def test_mismatched_new_password_is_refused(admin_client, alice):
    response = admin_client.post(
        reverse("crm:user_password", args=[alice.pk]),
        {"new_password1": "brand-new-passphrase", "new_password2": "other-passphrase"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password("correct-horse-battery")


def test_unknown_user_answers_404(admin_client):
    assert admin_client.get(reverse("crm:user_edit", args=[999999])).status_code == 404


def test_admin_role_gives_django_admin_and_every_permission(admin_user, manager):
    assert admin_user.is_staff
    assert admin_user.is_superuser
    assert admin_user.has_perm("crm.change_user")
    assert not manager.is_staff
    assert not manager.has_perm("crm.change_user")


def test_createsuperuser_makes_an_admin(db):
    user = User.objects.create_superuser("root", "root@example.com", "x-long-password")
    assert user.role == User.Role.ADMIN


def test_inactive_filter_lists_only_deactivated_users(admin_client, alice, bob):
    bob.is_active = False
    bob.save()
    response = admin_client.get(reverse("crm:users"), {"is_active": "false"})
    assert list(response.context["page"]) == [bob]
