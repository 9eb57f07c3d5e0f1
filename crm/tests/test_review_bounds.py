"""Ids in query strings and saved filters beyond any column find nothing, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from people.models import SavedList

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def test_a_huge_id_finds_nothing(alice_client, alice):
    assert alice_client.get(reverse("people:autocomplete"), {"company": HUGE}).status_code == 200
    assert alice_client.get(reverse("serviceorders:create"), {"project": HUGE}).status_code == 200
    SavedList.objects.create(user=alice, name="Rara", query=f"tag={HUGE}&owner={HUGE}&company={HUGE}")
    assert alice_client.get(reverse("people:lists")).status_code == 200
