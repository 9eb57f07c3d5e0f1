import pytest
from django.urls import reverse

from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.tests.factories import ActivityFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    data = {
        "name": " Andina  Logística S.A.C. ",
        "tax_id": "20131312955",
        "country": "PE",
        "address": "Av. Arequipa 123",
        "city": "Lima",
        "phone": "01 4445555",
        "website": "andina.pe",
        "industry": "Transporte",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_agent_creates_a_company(alice_client, alice):
    response = alice_client.post(reverse("companies:create"), _data())
    company = Company.objects.get()
    assert response.status_code == 302
    assert company.name == "Andina Logística S.A.C."
    assert company.owner == alice
    assert company.phone == "+5114445555"
    assert company.website == "https://andina.pe"


def test_a_name_ending_in_a_period_ends_a_message_once(alice_client, alice):
    """ "… now works at Andina Logística S.A.C.", not "S.A.C.." (#25)."""
    company = CompanyFactory(owner=alice, name="Andina Logística S.A.C.")
    person = PersonFactory(owner=alice, first_name="Rosa", last_name="Peña")
    page = alice_client.post(
        reverse("companies:membership_add"), {"person": person.pk, "company": company.pk}, follow=True
    ).content.decode()
    assert "Rosa Peña now works at Andina Logística S.A.C." in page
    assert "S.A.C.." not in page


def test_a_companys_creation_is_on_its_timeline(alice_client, alice):
    """As a person's: who created it, and when."""
    alice_client.post(reverse("companies:create"), _data())
    company = Company.objects.get()
    page = alice_client.get(company.get_absolute_url()).content.decode()
    timeline = page[page.index('id="timeline"') :]
    assert "Created" in timeline
    assert str(alice) in timeline[: timeline.index("Created")]


def test_invalid_tax_id_is_refused_next_to_the_field(alice_client):
    response = alice_client.post(reverse("companies:create"), _data(tax_id="20131312954"))
    assert response.status_code == 200
    assert "tax_id" in response.context["form"].errors
    assert "not a valid RUC" in response.content.decode()
    assert 'value="20131312954"' in response.content.decode()
    assert not Company.objects.exists()


def test_cnpj_is_checked_for_brazil(alice_client):
    alice_client.post(reverse("companies:create"), _data(country="BR", tax_id="11.222.333/0001-81", phone=""))
    assert Company.objects.get().tax_id == "11222333000181"


def test_registered_tax_id_is_refused_with_a_clear_message(alice_client, bob):
    CompanyFactory(owner=bob, country="PE", tax_id="20131312955")
    response = alice_client.post(reverse("companies:create"), _data())
    assert response.status_code == 200
    assert response.context["form"].errors["tax_id"] == ["A company with this RUC is already registered."]
    assert Company.objects.count() == 1


def test_editing_keeps_its_own_tax_id(alice_client, alice):
    company = CompanyFactory(owner=alice, country="PE", tax_id="20131312955")
    response = alice_client.post(reverse("companies:edit", args=[company.pk]), _data(name="New name"))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "New name"


def test_agent_sees_own_companies_and_those_where_their_people_work(alice_client, alice, bob):
    own = CompanyFactory(owner=alice, name="Own")
    shared = CompanyFactory(owner=bob, name="Shared")
    CompanyFactory(owner=bob, name="Hidden")
    MembershipFactory(person=PersonFactory(owner=alice), company=shared)
    names = [c.name for c in alice_client.get(reverse("companies:list")).context["page"]]
    assert names == ["Own", "Shared"]
    assert alice_client.get(own.get_absolute_url()).status_code == 200
    hidden = Company.objects.get(name="Hidden")
    assert alice_client.get(hidden.get_absolute_url()).status_code == 404
    assert alice_client.get(reverse("companies:edit", args=[hidden.pk])).status_code == 404


def test_company_search_by_name_accents_and_tax_id(alice_client, alice):
    CompanyFactory(owner=alice, name="Panadería Peña", country="PE", tax_id="20131312955")
    CompanyFactory(owner=alice, name="Otra")
    for term in ["panaderia", "PEÑA", "20131312955", "2013131295 5"]:
        names = [c.name for c in alice_client.get(reverse("companies:list"), {"q": term}).context["page"]]
        assert names == ["Panadería Peña"], term


def test_company_page_lists_its_people_with_area_and_position(alice_client, alice):
    company = CompanyFactory(owner=alice)
    MembershipFactory(
        company=company, person=PersonFactory(owner=alice, first_name="Ana"), area="TI", position="CTO"
    )
    response = alice_client.get(company.get_absolute_url())
    content = response.content.decode()
    assert "Ana" in content
    assert "CTO" in content


def test_company_page_shows_only_the_users_people(alice_client, alice, bob):
    company = CompanyFactory(owner=alice)
    MembershipFactory(company=company, person=PersonFactory(owner=alice, first_name="Mine"))
    MembershipFactory(company=company, person=PersonFactory(owner=bob, first_name="Secreto"))
    content = alice_client.get(company.get_absolute_url()).content.decode()
    assert "Mine" in content
    assert "Secreto" not in content


def test_a_person_may_belong_to_several_companies(alice_client, alice):
    person = PersonFactory(owner=alice)
    first, second = CompanyFactory(owner=alice), CompanyFactory(owner=alice)
    for company in (first, second):
        response = alice_client.post(
            reverse("companies:membership_add"),
            {"person": person.pk, "company": company.pk, "area": "Ventas", "position": "Jefa", "next": "/"},
        )
        assert response.status_code == 302
    assert set(person.memberships.values_list("company", flat=True)) == {first.pk, second.pk}


def test_adding_again_updates_area_and_position(alice_client, alice):
    membership = MembershipFactory(person=PersonFactory(owner=alice), company=CompanyFactory(owner=alice))
    alice_client.post(
        reverse("companies:membership_add"),
        {
            "person": membership.person_id,
            "company": membership.company_id,
            "area": "Legal",
            "position": "Abogada",
        },
    )
    membership.refresh_from_db()
    assert (membership.area, membership.position) == ("Legal", "Abogada")
    assert Membership.objects.count() == 1


def test_cannot_place_another_agents_person(alice_client, alice, bob):
    company = CompanyFactory(owner=alice)
    theirs = PersonFactory(owner=bob)
    response = alice_client.post(
        reverse("companies:membership_add"), {"person": theirs.pk, "company": company.pk}, follow=True
    )
    assert "was not saved" in response.content.decode()
    assert not Membership.objects.exists()


def test_remove_a_position(alice_client, alice):
    membership = MembershipFactory(person=PersonFactory(owner=alice), company=CompanyFactory(owner=alice))
    alice_client.post(reverse("companies:membership_remove", args=[membership.pk]))
    assert not Membership.objects.exists()
    assert Person.objects.filter(pk=membership.person_id).exists()


def test_other_agent_cannot_remove_a_position(bob_client, alice):
    membership = MembershipFactory(person=PersonFactory(owner=alice), company=CompanyFactory(owner=alice))
    assert bob_client.post(reverse("companies:membership_remove", args=[membership.pk])).status_code == 404
    assert Membership.objects.exists()


def test_new_person_at_a_company_warns_on_same_name_there(alice_client, alice):
    company = CompanyFactory(owner=alice)
    MembershipFactory(company=company, person=PersonFactory(owner=alice, first_name="Rosa", last_name="Díaz"))
    data = {"first_name": "rosa", "last_name": "díaz", "country": "PE", "stage": "prospect", "area": "TI"}
    response = alice_client.post(reverse("companies:person_create", args=[company.pk]), data)
    assert response.status_code == 200
    assert response.context["duplicates"] is not None
    assert 'value="TI"' in response.content.decode()
    response = alice_client.post(
        reverse("companies:person_create", args=[company.pk]), {**data, "confirm_duplicate": "on"}
    )
    assert response.status_code == 302
    assert company.memberships.count() == 2
    assert company.memberships.filter(area="TI").exists()


def test_company_autocomplete_is_scoped(alice_client, alice, bob):
    CompanyFactory(owner=alice, name="Andes Uno")
    CompanyFactory(owner=bob, name="Andes Dos")
    content = alice_client.get(reverse("companies:autocomplete"), {"term": "andes"}).content.decode()
    assert "Andes Uno" in content
    assert "Andes Dos" not in content


@pytest.mark.parametrize("count", [2, 40])
def test_company_pages_query_count(alice_client, alice, django_assert_max_num_queries, count):
    company = CompanyFactory(owner=alice, name="AAA Andes")  # on the first page, whatever the sequence
    for person in PersonFactory.create_batch(count, owner=alice):
        MembershipFactory(person=person, company=company)
    CompanyFactory.create_batch(count, owner=alice)
    # 9: the page's keys, then its rows with their joins and people counts (keys_first).
    with django_assert_max_num_queries(10):
        listing = alice_client.get(reverse("companies:list"))
    names = list(Company.objects.order_by("name", "id").values_list("name", flat=True)[:25])
    assert [c.name for c in listing.context["page"]] == names
    assert next(c for c in listing.context["page"] if c.pk == company.pk).person_count == count
    ActivityFactory.create_batch(count, person=None, company=company, owner=alice)
    with django_assert_max_num_queries(14):  # with its creation (the history's insert, its user)
        assert alice_client.get(company.get_absolute_url()).status_code == 200
