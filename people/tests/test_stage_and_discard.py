import pytest
from django.urls import reverse

from people import services
from people.models import Person, PersonEvent
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_one_click_advance_records_the_change(alice_client, alice):
    person = PersonFactory(owner=alice, stage="prospect")
    alice_client.post(reverse("people:stage", args=[person.pk]), {"stage": "interested"})
    person.refresh_from_db()
    assert person.stage == "interested"
    event = person.events.get(kind=PersonEvent.Kind.STAGE)
    assert (event.old_value, event.new_value, event.by) == ("prospect", "interested", alice)


def test_unknown_stage_is_refused(alice_client, alice):
    person = PersonFactory(owner=alice, stage="prospect")
    response = alice_client.post(reverse("people:stage", args=[person.pk]), {"stage": "king"}, follow=True)
    person.refresh_from_db()
    assert person.stage == "prospect"
    assert "Choose a valid stage" in response.content.decode()


def test_stage_is_post_only(alice_client, alice):
    person = PersonFactory(owner=alice)
    assert alice_client.get(reverse("people:stage", args=[person.pk])).status_code == 405


def test_discard_hides_the_person_everywhere_but_keeps_the_row(
    alice_client, alice, admin_client, manager_client
):
    tag = TagFactory()
    person = PersonFactory(owner=alice, first_name="Zoe", last_name="Gone", tags=[tag])
    response = alice_client.post(reverse("people:discard", args=[person.pk]), {"reason": "Wrong number"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.discarded_by == alice
    assert person.discard_reason == "Wrong number"
    for client in (alice_client, manager_client):
        assert person not in client.get(reverse("people:list")).context["page"]
        assert "Zoe" not in client.get(reverse("people:autocomplete"), {"term": "zoe"}).content.decode()
        assert "Zoe" not in client.get(reverse("people:tag_detail", args=[tag.pk])).content.decode()
        export = b"".join(client.get(reverse("people:tag_export", args=[tag.pk])).streaming_content)
        assert b"Zoe" not in export
        assert client.get(person.get_absolute_url()).status_code == 404
    tag_page = alice_client.get(reverse("people:tags")).context["page"]
    assert next(t for t in tag_page if t.pk == tag.pk).person_count == 0
    # The admin sees it in Discarded with who and when.
    discarded = admin_client.get(reverse("people:discarded"))
    assert list(discarded.context["page"]) == [person]
    assert "Alice Agent" in discarded.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()


def test_discard_page_asks_first(alice_client, alice):
    person = PersonFactory(owner=alice)
    response = alice_client.get(reverse("people:discard", args=[person.pk]))
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.discarded_at is None


def test_admin_restores_the_person_unchanged(admin_client, alice):
    tag = TagFactory()
    person = PersonFactory(owner=alice, stage="interested", tags=[tag], notes="Call after 5pm")
    services.person_discard(person=person, by=alice, reason="oops")
    response = admin_client.post(reverse("people:restore", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.discarded_at is None
    assert person.discarded_by is None
    assert (person.stage, person.owner, person.notes) == ("interested", alice, "Call after 5pm")
    assert list(person.tags.all()) == [tag]
    kinds = list(person.events.values_list("kind", flat=True))
    assert kinds[:2] == [PersonEvent.Kind.RESTORED, PersonEvent.Kind.DISCARDED]


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client", "manager_client"])
def test_only_admins_restore(request, client_name, alice):
    person = PersonFactory(owner=alice)
    services.person_discard(person=person, by=alice)
    client = request.getfixturevalue(client_name)
    assert client.post(reverse("people:restore", args=[person.pk])).status_code == 404
    person.refresh_from_db()
    assert person.discarded_at is not None


@pytest.mark.parametrize("client_name", ["alice_client", "manager_client"])
def test_discarded_module_is_for_admins(request, client_name):
    assert request.getfixturevalue(client_name).get(reverse("people:discarded")).status_code == 403


def test_restoring_an_active_person_is_404(admin_client, alice):
    person = PersonFactory(owner=alice)
    assert admin_client.post(reverse("people:restore", args=[person.pk])).status_code == 404


def test_discarded_search(admin_client, alice):
    keep = PersonFactory(owner=alice, first_name="Ramón", last_name="Díaz")
    other = PersonFactory(owner=alice, first_name="Luis", last_name="Mora")
    for person in (keep, other):
        services.person_discard(person=person, by=alice)
    response = admin_client.get(reverse("people:discarded"), {"q": "ramon"})
    assert list(response.context["page"]) == [keep]


@pytest.mark.parametrize("count", [1, 30])
def test_discarded_list_query_count(admin_client, alice, django_assert_max_num_queries, count):
    for person in PersonFactory.create_batch(count, owner=alice):
        services.person_discard(person=person, by=alice)
    with django_assert_max_num_queries(6):
        assert admin_client.get(reverse("people:discarded")).status_code == 200
