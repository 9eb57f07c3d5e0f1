import csv
import io

import pytest
from django.urls import reverse

from people.models import PersonEvent, Tag
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_renames_and_colors_a_tag(admin_client):
    response = admin_client.post(reverse("people:tag_create"), {"name": " Feria  2026 ", "color": "green"})
    assert response.status_code == 302
    tag = Tag.objects.get()
    assert (tag.name, tag.color) == ("Feria 2026", "green")
    admin_client.post(reverse("people:tag_edit", args=[tag.pk]), {"name": "Feria Lima", "color": "red"})
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("Feria Lima", "red")


def test_tag_names_are_unique_ignoring_case(admin_client):
    TagFactory(name="VIP")
    response = admin_client.post(reverse("people:tag_create"), {"name": "vip", "color": "red"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Tag.objects.count() == 1


def test_unknown_color_is_refused(admin_client):
    response = admin_client.post(reverse("people:tag_create"), {"name": "X", "color": "#ff00ff"})
    assert "color" in response.context["form"].errors


def test_deleting_a_tag_in_use_asks_first_then_records_the_removal(admin_client, alice):
    tag = TagFactory(name="Old")
    people = PersonFactory.create_batch(2, owner=alice, tags=[tag])
    page = admin_client.get(reverse("people:tag_delete", args=[tag.pk]))
    assert page.context["in_use"] == 2
    assert Tag.objects.filter(pk=tag.pk).exists()
    admin_client.post(reverse("people:tag_delete", args=[tag.pk]))
    assert not Tag.objects.filter(pk=tag.pk).exists()
    for person in people:
        assert person.events.filter(kind=PersonEvent.Kind.UNTAGGED, old_value="Old").exists()


@pytest.mark.parametrize("client_name", ["alice_client", "manager_client"])
def test_only_admins_configure_tags(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.post(reverse("people:tag_create"), {"name": "X", "color": "red"}).status_code == 403
    assert not Tag.objects.exists()


def test_tag_added_and_removed_inline(alice_client, alice):
    tag = TagFactory(name="Hot")
    person = PersonFactory(owner=alice)
    response = alice_client.post(
        reverse("people:tag_add", args=[person.pk]), {"tag": tag.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Hot" in response.content
    assert list(person.tags.all()) == [tag]
    alice_client.post(reverse("people:tag_remove", args=[person.pk, tag.pk]), headers={"HX-Request": "true"})
    assert not person.tags.exists()
    kinds = set(person.events.values_list("kind", flat=True))
    assert {PersonEvent.Kind.TAGGED, PersonEvent.Kind.UNTAGGED} <= kinds


def test_tag_people_are_scoped(alice_client, alice, bob):
    tag = TagFactory()
    PersonFactory(owner=alice, first_name="Mia", tags=[tag])
    PersonFactory(owner=bob, first_name="Bobby", tags=[tag])
    response = alice_client.get(reverse("people:tag_detail", args=[tag.pk]))
    assert [p.first_name for p in response.context["page"]] == ["Mia"]
    counts = {t.pk: t.person_count for t in alice_client.get(reverse("people:tags")).context["page"]}
    assert counts[tag.pk] == 1


def test_tag_export_is_a_safe_csv_of_the_users_people(alice_client, alice, bob):
    tag = TagFactory()
    PersonFactory(
        owner=alice, first_name='=HYPERLINK("http://x")', last_name="+cmd|", email="a@example.com", tags=[tag]
    )
    PersonFactory(owner=bob, first_name="Other", tags=[tag])
    response = alice_client.get(reverse("people:tag_export", args=[tag.pk]))
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:3] == ["First name", "Last name", "Email"]
    assert len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][1] == "'+cmd|"


@pytest.mark.parametrize("count", [2, 40])
def test_tag_pages_query_count(alice_client, alice, django_assert_max_num_queries, count):
    tags = TagFactory.create_batch(count)
    PersonFactory.create_batch(count, owner=alice, tags=tags[:3])
    with django_assert_max_num_queries(6):
        assert alice_client.get(reverse("people:tags")).status_code == 200
    with django_assert_max_num_queries(7):
        assert alice_client.get(reverse("people:tag_detail", args=[tags[0].pk])).status_code == 200
