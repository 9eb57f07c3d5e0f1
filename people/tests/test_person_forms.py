import pytest
from django.urls import reverse

from people.models import Person, PersonEvent
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    data = {
        "first_name": "  Carmen ",
        "last_name": "Quispe  Mamani",
        "email": "Carmen.Quispe@Example.com",
        "phone": "987 654 321",
        "mobile": "",
        "city": "Cusco",
        "country": "PE",
        "source": "referral",
        "stage": "prospect",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_agent_creates_a_person_they_own(alice_client, alice):
    tag = TagFactory()
    response = alice_client.post(reverse("people:create"), _data(tags=[tag.pk]))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.owner == alice
    assert person.first_name == "Carmen"
    assert person.last_name == "Quispe Mamani"
    assert person.email == "carmen.quispe@example.com"
    assert person.phone == "+51987654321"
    assert list(person.tags.all()) == [tag]
    assert person.events.get().kind == PersonEvent.Kind.CREATED


def test_agent_cannot_give_a_person_to_someone_else(alice_client, alice, bob):
    alice_client.post(reverse("people:create"), _data(owner=bob.pk))
    assert Person.objects.get().owner == alice


def test_manager_assigns_the_owner(manager_client, alice):
    manager_client.post(reverse("people:create"), _data(owner=alice.pk))
    assert Person.objects.get().owner == alice


def test_phone_is_read_in_the_persons_country(alice_client):
    alice_client.post(reverse("people:create"), _data(country="BR", phone="(11) 98765-4321"))
    assert Person.objects.get().phone == "+5511987654321"


def test_bad_input_keeps_what_was_typed_and_saves_nothing(alice_client):
    response = alice_client.post(
        reverse("people:create"), _data(first_name="", email="carmen@", phone="12", mobile="abc")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"first_name", "email", "phone", "mobile"}
    content = response.content.decode()
    assert 'value="carmen@"' in content
    assert 'value="Cusco"' in content
    assert "Enter a valid phone number" in content
    assert not Person.objects.exists()


def test_html_in_names_is_stored_as_text_and_escaped(alice_client):
    alice_client.post(reverse("people:create"), _data(first_name="<script>alert(1)</script>"))
    person = Person.objects.get()
    page = alice_client.get(person.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_same_email_warns_before_creating(alice_client, alice):
    existing = PersonFactory(owner=alice, email="carmen.quispe@example.com")
    response = alice_client.post(reverse("people:create"), _data())
    assert response.status_code == 200
    assert response.context["duplicates"]["visible"] == [existing]
    assert existing.get_absolute_url() in response.content.decode()
    assert Person.objects.count() == 1
    # Confirming creates it.
    response = alice_client.post(reverse("people:create"), _data(confirm_duplicate="on"))
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_same_phone_in_another_format_warns(alice_client, alice):
    PersonFactory(owner=alice, email="", mobile="+51987654321", phone="")
    response = alice_client.post(reverse("people:create"), _data(email="", phone="+51 987-654-321"))
    assert response.context["duplicates"] is not None


def test_duplicate_of_another_agent_is_counted_but_not_revealed(alice_client, bob):
    PersonFactory(owner=bob, first_name="Hidden", last_name="Person", email="carmen.quispe@example.com")
    response = alice_client.post(reverse("people:create"), _data())
    duplicates = response.context["duplicates"]
    assert duplicates["visible"] == []
    assert duplicates["hidden_count"] == 1
    assert "Hidden" not in response.content.decode()


def test_discarded_people_are_not_duplicates(alice_client, alice):
    from django.utils import timezone

    PersonFactory(
        owner=alice, email="carmen.quispe@example.com", discarded_at=timezone.now(), discarded_by=alice
    )
    assert alice_client.post(reverse("people:create"), _data()).status_code == 302


def test_edit_records_what_changed(alice_client, alice):
    person = PersonFactory(owner=alice, city="Lima", email="x@example.com")
    response = alice_client.post(
        reverse("people:edit", args=[person.pk]),
        _data(email="x@example.com", phone="", city="Trujillo"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.city == "Trujillo"
    event = person.events.get(kind=PersonEvent.Kind.UPDATED)
    assert "city" in event.new_value


def test_edit_form_shows_no_stage_field(alice_client, alice):
    person = PersonFactory(owner=alice)
    response = alice_client.get(reverse("people:edit", args=[person.pk]))
    assert "stage" not in response.context["form"].fields


@pytest.mark.parametrize("action", ["detail", "edit", "discard"])
def test_other_agent_gets_404(bob_client, alice, action):
    person = PersonFactory(owner=alice)
    assert bob_client.get(reverse(f"people:{action}", args=[person.pk])).status_code == 404
    assert bob_client.post(reverse(f"people:{action}", args=[person.pk]), _data()).status_code == 404
    person.refresh_from_db()
    assert person.discarded_at is None


@pytest.mark.parametrize("count", [1, 30])
def test_manage_page_query_count_is_fixed(alice_client, alice, django_assert_max_num_queries, count):
    from companies.tests.factories import MembershipFactory
    from people.tests.factories import PersonEventFactory

    person = PersonFactory(owner=alice, tags=TagFactory.create_batch(3))
    MembershipFactory.create_batch(min(count, 5), person=person)
    PersonEventFactory.create_batch(count, person=person)
    from crm import consent

    for _ in range(min(count, 3)):
        consent.record(
            people=[person.pk],
            channels=["email", "phone", "whatsapp", "sms"],
            purposes=["sales", "marketing"],
            given=True,
            source="agent",
        )
    with django_assert_max_num_queries(15):
        response = alice_client.get(person.get_absolute_url())
    assert response.status_code == 200
