"""Requests no form would send: NUL bytes in paths, query strings and bodies, API
bodies that are JSON but not objects, values of the wrong type or beyond their
column. Each answers 400 (or the field's message), never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from crm.tests.factories import ActivityFactory
from crm.tests.helpers import api_client, persona_client
from crm.tests.test_access_walk import RULES
from crm.tests.test_bad_input import ACTION_FIELDS
from opportunities.models import OpportunityLine
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


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


# GET parameters every list, filter, report and search reads, fed hostile values.
GET_PARAMS = [
    "q", "page", "after", "before", "cursor", "sort", "order", "status", "stage", "owner", "agent",
    "assignee", "pipeline", "board", "tag", "tags", "company", "person", "campaign", "kind", "category",
    "date_from", "date_to", "due_from", "due_to", "created_from", "created_to", "close_from", "close_to",
    "finished_from", "finished_to", "active_from", "active_to", "by", "b", "next", "refresh", "format",
    "page_size", "source", "country", "city", "archived", "stagnant", "members", "cards", "amount_min",
    "amount_max", "cf_plan", "id", "number", "token",
]  # fmt: skip
GET_VALUES = ["x" * 5000, "99999999999999999999999", "0001-01-01", "1e309", SCRIPT]
HUGE = "99999999999999999999999"


def test_every_page_survives_hostile_query_strings_and_paths(world):
    """Every GET route, as the first persona it lets in (anonymous routes too): hostile values
    for every parameter the lists, filters, reports and searches read, and ids beyond bigint
    in every path. One world for all routes: the sweep is about answers, not state."""
    clients = {}
    failures, requests = [], 0
    for name, rule in sorted(RULES.items()):
        persona = next((p for p in ("alice", "manager", "admin", "anonymous") if p in rule.allowed), None)
        if rule.post_only or name == "logout" or persona is None:
            continue
        client = clients.get(persona) or clients.setdefault(persona, persona_client(world, persona))
        kwargs = rule.kwargs(world) if rule.kwargs else {}
        url = reverse(name, kwargs=kwargs or None)
        for value in GET_VALUES:
            response = client.get(url, dict.fromkeys(GET_PARAMS, value))
            requests += 1
            if response.status_code >= 500:
                failures.append((url, value[:30], response.status_code))
            elif response.get("Content-Type", "").startswith(
                "text/html"
            ) and SCRIPT in response.content.decode(errors="replace"):
                failures.append((url, value[:30], "rendered HTML"))
        # A number beyond any id in the path: 404, not a database error.
        for key, current in kwargs.items():
            if isinstance(current, int):
                huge = reverse(name, kwargs={**kwargs, key: int(HUGE)})
                requests += 1
                if client.get(huge).status_code not in (302, 400, 404, 405):
                    failures.append((huge, "huge id", "not refused"))
    assert failures == []
    assert requests > 700


API_VALUES = [
    None,
    True,
    1e308,
    -(10**30),
    "x" * 5000,
    SCRIPT,
    "9999-12-31T23:59:59",
    "nul-free",
    {"a": 1},
    [1, 2],
]


def test_every_api_route_survives_hostile_json_bodies(world):
    """Every API route, POST, PUT and PATCH with every field given the same hostile value."""
    client = persona_client(world, "alice")
    fields = [
        *ACTION_FIELDS,
        "first_name",
        "last_name",
        "email",
        "phone",
        "pipeline",
        "members",
        "tags",
        "due_at",
    ]
    skipped = {"api:tokens", "api:token_revoke", "api:webhooks", "api:webhook"}
    failures, requests = [], 0
    for name, rule in sorted(RULES.items()):
        if not name.startswith("api:") or name in skipped:
            continue
        url = reverse(name, kwargs=rule.kwargs(world) if rule.kwargs else None)
        for value in API_VALUES:
            for method in ("post", "put", "patch"):
                body = json.dumps(dict.fromkeys(fields, value))
                response = getattr(client, method)(url, body, content_type="application/json")
                requests += 1
                if response.status_code >= 500:
                    failures.append((method, url, repr(value)[:30], response.status_code))
    assert failures == []
    assert requests > 700
