"""Requests no form would send: NUL bytes in paths, query strings and bodies, API
bodies that are JSON but not objects, values of the wrong type or beyond their
column. Each answers 400 (or the field's message), never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from crm.tests.factories import ActivityFactory
from crm.tests.helpers import api_client
from opportunities.models import OpportunityLine
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/f/a%00b/",
    "/calendar/a%00.ics",
    "/search/?q=a%00",
    "/tags/?q=%00",
    "/serviceorders/projects/?q=%00",
    "/catalog/?q=%00",
    "/quotes/?status=%00",
    "/opportunities/new/?pipeline=1%00",
    "/people/?q=%00",
    "/people/a%00/",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_byte_in_a_path_or_query_string_is_a_bad_request(alice_client, url):
    assert alice_client.get(url).status_code == 400
    assert Client().get(url).status_code == 400


def test_a_nul_byte_in_a_form_or_json_body_is_a_bad_request(alice_client, alice):
    response = alice_client.post(reverse("people:create"), {"first_name": "Ana\x00", "last_name": "Ruiz"})
    assert response.status_code == 400
    response = alice_client.post(
        "/api/v1/people/", json.dumps({"first_name": "Ana\u0000"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert not Person.objects.exists()


@pytest.mark.parametrize("body", ["[1, 2]", '"x"', "null", "42", "true"])
def test_api_bodies_must_be_json_objects(alice, body):
    api = api_client(alice)
    person = PersonFactory(owner=alice)
    board = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=board, agent=alice)
    activity = ActivityFactory(person=person, owner=alice)
    for url in ("/api/v1/people/", "/api/v1/companies/", "/api/v1/activities/", "/api/v1/opportunities/"):
        response = api.post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, body, response.status_code)
        assert "object" in json.dumps(response.json()), response.json()
    for url in (
        f"/api/v1/people/{person.pk}/",
        f"/api/v1/opportunities/{card.pk}/",
        f"/api/v1/activities/{activity.pk}/",
    ):
        response = api.patch(url, body, content_type="application/json")
        assert response.status_code in (400, 405), (url, body, response.status_code)


def test_a_list_for_a_text_field_is_refused_with_the_fields_message(alice):
    response = api_client(alice).post(
        "/api/v1/people/",
        json.dumps({"first_name": ["a", "b"], "last_name": "Ruiz"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "first_name" in response.json()
    assert not Person.objects.exists()


def test_an_opportunity_line_beyond_its_columns_is_refused(alice_client, alice):
    board = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=board, agent=alice)
    response = alice_client.post(
        reverse("opportunities:line_add", args=[card.pk]),
        {
            "description": "Grande",
            "quantity": "9999999999.99",
            "unit_price": "999999999999.99",
            "discount": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not OpportunityLine.objects.exists()
    assert "too large" in response.content.decode()
