"""Saved People filters (seed 000 "Listas") as their page shows them."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import SavedList
from people.tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def test_a_lists_filters_are_described_in_words(alice_client, alice):
    fair = TagFactory(name="Feria Lima 2026")
    SavedList.objects.create(user=alice, name="Feria", query=f"tag={fair.pk}&stage=client&q=andes&sort=name")
    SavedList.objects.create(user=alice, name="Todos", query="")
    page = alice_client.get(reverse("people:lists")).content.decode()
    described = re.findall(r'<td class="small text-body-secondary text-break">(.*?)</td>', page)
    assert described == ["Search: “andes” · Stage: Client · Tag: Feria Lima 2026", "Everyone"]


@pytest.mark.parametrize("count", [2, 30])
def test_the_lists_page_reads_a_fixed_number_of_queries(alice_client, alice, count):
    for n in range(count):
        tag = TagFactory(name=f"Etiqueta {n}")
        SavedList.objects.create(user=alice, name=f"Lista {n}", query=f"tag={tag.pk}&owner={alice.pk}")
    alice_client.get(reverse("people:lists"))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        page = alice_client.get(reverse("people:lists")).content.decode()
    assert "Tag: Etiqueta 1" in page
    assert len(queries) <= 12, [q["sql"] for q in queries]
