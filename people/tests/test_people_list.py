import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import MembershipFactory
from crm.pagination import KeysetPaginator
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [str(p) for p in response.context["page"]]


def test_agent_sees_only_their_own_people(alice_client, alice, bob):
    PersonFactory(owner=alice, first_name="Mine", last_name="One")
    PersonFactory(owner=bob, first_name="Theirs", last_name="Two")
    response = alice_client.get(reverse("people:list"))
    assert _names(response) == ["Mine One"]


def test_manager_sees_the_whole_team(manager_client, alice, bob):
    PersonFactory(owner=alice)
    PersonFactory(owner=bob)
    assert len(_names(manager_client.get(reverse("people:list")))) == 2


def test_discarded_people_are_not_listed(alice_client, alice):
    PersonFactory(owner=alice, first_name="Gone", discarded_at=timezone.now(), discarded_by=alice)
    PersonFactory(owner=alice, first_name="Here", last_name="")
    assert _names(alice_client.get(reverse("people:list"))) == ["Here"]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("jose", True),
        ("JOSÉ", True),
        ("pena", True),
        ("Peña", True),
        ("jos pe", True),
        ("jose.pena@", True),
        ("jose.pena@acme.pe", True),
        ("arequipa", True),
        ("maria", False),
    ],
)
def test_text_search_is_accent_insensitive_and_by_prefix(alice_client, alice, term, found):
    PersonFactory(
        owner=alice, first_name="José", last_name="Peña", email="jose.pena@acme.pe", city="Arequipa"
    )
    names = _names(alice_client.get(reverse("people:list"), {"q": term}))
    assert (names == ["José Peña"]) is found


@pytest.mark.parametrize("term", ["987 654 321", "+51 987-654-321", "(51) 987654321", "51987654321"])
def test_search_by_phone_in_any_format(alice_client, alice, term):
    PersonFactory(owner=alice, first_name="Rosa", last_name="", phone="+51987654321")
    PersonFactory(owner=alice, first_name="Other", last_name="", phone="+51911111111")
    assert _names(alice_client.get(reverse("people:list"), {"q": term})) == ["Rosa"]


def test_search_by_mobile(alice_client, alice):
    PersonFactory(owner=alice, first_name="Cel", last_name="", phone="", mobile="+5511987654321")
    assert _names(alice_client.get(reverse("people:list"), {"q": "+55 11 98765-4321"})) == ["Cel"]


def test_hostile_search_input_is_harmless(alice_client, alice):
    PersonFactory(owner=alice)
    for term in ["'", "a & | !", "):* <->", "x" * 500, "😀", "' OR 1=1 --"]:
        response = alice_client.get(reverse("people:list"), {"q": term})
        assert response.status_code == 200


def test_filters_by_stage_tag_source_and_company(alice_client, alice):
    tag = TagFactory(name="VIP")
    target = PersonFactory(owner=alice, stage="interested", source="referral", tags=[tag])
    MembershipFactory(person=target)
    PersonFactory(owner=alice, stage="interested", source="referral")
    PersonFactory(owner=alice, stage="prospect", tags=[tag])
    company = target.memberships.get().company
    response = alice_client.get(
        reverse("people:list"),
        {"stage": "interested", "tag": tag.pk, "source": "referral", "company": company.pk},
    )
    assert list(response.context["page"]) == [target]


def test_owner_filter_for_managers(manager_client, alice, bob):
    mine = PersonFactory(owner=alice)
    PersonFactory(owner=bob)
    response = manager_client.get(reverse("people:list"), {"owner": alice.pk})
    assert list(response.context["page"]) == [mine]


def test_agents_have_no_owner_filter(alice_client, alice, bob):
    PersonFactory(owner=bob)
    response = alice_client.get(reverse("people:list"), {"owner": bob.pk})
    assert "owner" not in response.context["filter"].form.fields
    assert list(response.context["page"]) == []


def test_created_date_range(alice_client, alice):
    old = PersonFactory(owner=alice)
    Person.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=40))
    new = PersonFactory(owner=alice)
    today = timezone.localdate().isoformat()
    assert list(alice_client.get(reverse("people:list"), {"created_from": today}).context["page"]) == [new]
    week_ago = (timezone.localdate() - timezone.timedelta(days=7)).isoformat()
    assert list(alice_client.get(reverse("people:list"), {"created_to": week_ago}).context["page"]) == [old]


def test_invalid_filter_values_do_not_break_the_page(alice_client, alice):
    PersonFactory(owner=alice)
    response = alice_client.get(reverse("people:list"), {"created_from": "not-a-date", "tag": "abc"})
    assert response.status_code == 200


def test_sort_by_last_name(alice_client, alice):
    PersonFactory(owner=alice, first_name="A", last_name="Zapata")
    PersonFactory(owner=alice, first_name="B", last_name="Alvarez")
    assert _names(alice_client.get(reverse("people:list"), {"sort": "name"})) == ["B Alvarez", "A Zapata"]


def test_newest_first_by_default(alice_client, alice):
    PersonFactory(owner=alice, first_name="First", last_name="")
    PersonFactory(owner=alice, first_name="Second", last_name="")
    assert _names(alice_client.get(reverse("people:list"))) == ["Second", "First"]


def test_htmx_request_gets_only_the_rows(alice_client, alice):
    PersonFactory(owner=alice, first_name="Rowan")
    response = alice_client.get(reverse("people:list"), headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b"Rowan" in response.content


def _follow(client, response, rel: str):
    """The page behind the list's Next or Previous link."""
    html = response.content.decode()
    href = re.search(rf'href="([^"]+)" rel="{rel}"', html).group(1)
    return client.get(reverse("people:list") + unescape(href))


@pytest.mark.parametrize("sort", ["", "created", "name", "-updated"])
def test_list_pages_by_position_in_every_order(alice_client, alice, sort):
    PersonFactory.create_batch(60, owner=alice)
    first = alice_client.get(reverse("people:list"), {"sort": sort} if sort else {})
    second = _follow(alice_client, first, "next")
    third = _follow(alice_client, second, "next")
    rows = [list(page.context["page"]) for page in (first, second, third)]
    assert [len(r) for r in rows] == [25, 25, 10]
    assert len({p.pk for r in rows for p in r}) == 60  # every person once
    assert 'rel="next"' not in third.content.decode()
    assert list(_follow(alice_client, third, "prev").context["page"]) == rows[1]
    assert list(_follow(alice_client, second, "prev").context["page"]) == rows[0]
    assert "60 results" not in third.content.decode()  # counted in a request of its own
    count = alice_client.get(reverse("people:list"), {"count": "1"}, headers={"HX-Request": "true"})
    assert count.content.decode().strip() == "60 results"


def test_a_broken_cursor_shows_the_first_page(alice_client, alice):
    PersonFactory.create_batch(3, owner=alice)
    for cursor in ["garbage", "W10", "WyJ4Il0", "WyIyMDI2LTEzLTQ1IiwgIjEiXQ"]:
        response = alice_client.get(reverse("people:list"), {"after": cursor, "before": cursor})
        assert response.status_code == 200
        assert len(response.context["page"]) == 3


@pytest.mark.parametrize("count", [2, 40])
def test_list_query_count_is_fixed(alice_client, alice, django_assert_max_num_queries, count):
    tag = TagFactory()
    for person in PersonFactory.create_batch(count, owner=alice, tags=[tag]):
        MembershipFactory(person=person)
    # session, user, reminders, tags; the search's window, its few matches and the
    # page; the page's tags and companies.
    with django_assert_max_num_queries(16):
        response = alice_client.get(reverse("people:list"), {"q": "a", "sort": "name"})
    assert response.status_code == 200


def test_autocomplete_returns_only_visible_people(alice_client, alice, bob):
    PersonFactory(owner=alice, first_name="Marta", last_name="Ruiz")
    PersonFactory(owner=bob, first_name="Marta", last_name="Secret")
    content = alice_client.get(reverse("people:autocomplete"), {"term": "mar"}).content.decode()
    assert "Marta Ruiz" in content
    assert "Secret" not in content


@pytest.mark.parametrize(("window", "few"), [(2000, 1000), (10, 1000), (10, 5)])
def test_a_search_pages_the_same_whichever_way_it_finds_its_matches(
    alice_client, alice, monkeypatch, window, few
):
    """The common-word window, the rare-word index lookup and the plain query
    (KeysetPaginator._rows) give the same pages in the same order."""
    monkeypatch.setattr(KeysetPaginator, "WINDOW", window)
    monkeypatch.setattr(KeysetPaginator, "FEW", few)
    for n in range(40):
        PersonFactory(owner=alice, first_name=f"Zelda{n}" if n % 3 == 0 else "Otra", last_name="Quispe")
    expected = list(
        Person.objects.filter(owner=alice, first_name__startswith="Zelda").order_by("-created_at", "-id")
    )
    first = alice_client.get(reverse("people:list"), {"q": "zelda"})
    assert list(first.context["page"]) == expected[:14] == expected
    everyone = alice_client.get(reverse("people:list"), {"q": "quispe"})
    second = _follow(alice_client, everyone, "next")
    rows = list(everyone.context["page"]) + list(second.context["page"])
    assert rows == list(Person.objects.filter(owner=alice).order_by("-created_at", "-id"))


def test_on_a_phone_the_filters_but_the_search_fold_behind_a_button(alice_client, alice):
    page = alice_client.get(
        reverse("people:list"), {"q": "rosa", "stage": "client", "source": ""}
    ).content.decode()
    toggle = re.search(r"<button[^>]*data-filters-toggle>.*?</button>", page, re.S).group(0)
    assert "d-md-none" in toggle
    assert re.search(r'class="badge[^"]*"[^>]*>1</span>', toggle)  # the stage; not the search box
    columns = re.findall(r'<div class="(col[^"]*)">\s*<label class="form-label" for="id_(\w+)"', page)
    folded = {field for classes, field in columns if "more-filters collapse d-md-block" in classes}
    assert {"stage", "tag", "source"} <= folded
    assert "q" not in folded
    unfiltered = alice_client.get(reverse("people:list")).content.decode()
    assert "badge" not in re.search(r"<button[^>]*data-filters-toggle>.*?</button>", unfiltered, re.S).group(
        0
    )
