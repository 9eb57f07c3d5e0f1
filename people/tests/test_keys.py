"""The contacts catalog's consecutive keys (manual 003): C-000123 for people, E-000045 for
companies, gapless, given on creation whatever creates the record."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from companies.models import Company
from companies.tests.factories import CompanyFactory
from crm.tests.helpers import api_client
from people import services
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _rolled_back_creation(alice) -> None:
    try:
        with transaction.atomic():
            services.person_create(by=alice, first_name="Nadie", owner=alice)
            raise RuntimeError
    except RuntimeError:
        pass


def test_keys_are_consecutive_and_gapless_whatever_creates_the_record(alice):
    first = services.person_create(by=alice, first_name="Ana", owner=alice)
    _rolled_back_creation(alice)  # gives its number back
    second = services.person_create(by=alice, first_name="Beto", owner=alice)
    bulk = Person.objects.bulk_create(
        [Person(first_name="Carla", owner=alice), Person(first_name="Dani", owner=alice)]
    )
    numbers = [first.number, second.number, *(p.number for p in bulk)]
    assert numbers == list(range(first.number, first.number + 4))
    assert first.catalog_key == f"C-{first.number:06d}"
    company = CompanyFactory(owner=alice)
    assert company.catalog_key == f"E-{company.number:06d}"


def test_keys_show_on_lists_pages_search_exports_and_the_api(alice_client, alice):
    rosa = PersonFactory(owner=alice, first_name="Rosa")
    andes = CompanyFactory(owner=alice, name="Andes SAC")
    assert rosa.catalog_key in alice_client.get(reverse("people:list")).content.decode()
    assert rosa.catalog_key in alice_client.get(rosa.get_absolute_url()).content.decode()
    assert andes.catalog_key in alice_client.get(reverse("companies:list")).content.decode()
    assert andes.catalog_key in alice_client.get(andes.get_absolute_url()).content.decode()
    found = alice_client.get(reverse("crm:search"), {"q": rosa.catalog_key}).content.decode()
    assert "Rosa" in found
    found = alice_client.get(reverse("crm:search"), {"q": andes.catalog_key.lower()}).content.decode()
    assert "Andes SAC" in found
    export = b"".join(alice_client.get(reverse("people:export")).streaming_content).decode("utf-8-sig")
    assert rosa.catalog_key in export.splitlines()[1].split(",")
    export = b"".join(alice_client.get(reverse("companies:export")).streaming_content).decode("utf-8-sig")
    assert andes.catalog_key in export.splitlines()[1].split(",")
    assert Company.objects.get(pk=andes.pk).catalog_key == andes.catalog_key


def test_the_api_gives_the_keys(alice):
    rosa = PersonFactory(owner=alice)
    client = api_client(alice)
    assert client.get(reverse("api:person-detail", args=[rosa.pk])).json()["key"] == rosa.catalog_key
