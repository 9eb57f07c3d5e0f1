"""Every form of the project fed hostile and malformed values, field by field.

Each answer is a clear error next to the field or safe storage: never a 500 (the test client
raises), never the HTML rendered, nothing stored half-way, and no way to point a form at
another user's records.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from crm.tests.helpers import form_data, persona_client

SCRIPT = "<script>alert(1)</script>"
# A NUL byte is refused before any view, whatever the field (crm.middleware): one post a form.
NUL = "nul\x00byte"
HOSTILE = [
    "x" * 5000,
    '"><img src=x onerror=alert(1)>' + SCRIPT,  # markup breaking out of an attribute, and a script
    # SQL, emoji, accents and right-to-left text in one value: stored as typed or refused.
    "'; DROP TABLE people_person; -- 😀👍🏽 Ñandú مرحبا",
]
IMPOSSIBLE_DATE = "2026-02-31"
HUGE_NUMBER = "-99999999999999999999"  # negative and beyond every column at once


def _hostile_values(field) -> list[str]:
    """What every field gets, and what only a field that reads dates or numbers can misread
    (to a text field they are text like any other)."""
    from django import forms

    values = list(HOSTILE)
    if isinstance(field, forms.DateField | forms.DateTimeField):
        values.append(IMPOSSIBLE_DATE)
    if isinstance(
        field,
        forms.IntegerField
        | forms.DecimalField
        | forms.FloatField
        | forms.ChoiceField
        | forms.ModelChoiceField,
    ):
        values.append(HUGE_NUMBER)
    return values


@pytest.fixture
def world(read_mostly_world):
    """One world for the sweep: what a post stores rolls back with its test."""
    return read_mostly_world


# (URL name, kwargs from the world, persona)
FORMS = [
    ("people:create", None, "alice"),
    ("people:edit", lambda w: {"pk": w.person.pk}, "alice"),
    ("companies:create", None, "alice"),
    ("companies:edit", lambda w: {"pk": w.company.pk}, "alice"),
    ("campaigns:create", None, "alice"),
    ("campaigns:edit", lambda w: {"pk": w.campaign.pk}, "alice"),
    ("opportunities:create", None, "alice"),
    ("opportunities:edit", lambda w: {"pk": w.opportunity.pk}, "alice"),
    ("opportunities:convert", lambda w: {"pk": w.person.pk}, "alice"),
    ("serviceorders:create", None, "alice"),
    ("serviceorders:project_create", None, "alice"),
    ("serviceorders:edit", lambda w: {"number": w.order.number}, "alice"),
    ("activities:activity_create", None, "alice"),
    ("catalog:create", None, "admin"),
    ("catalog:edit", lambda w: {"pk": w.product.pk}, "admin"),
    ("crm:user_create", None, "admin"),
    ("crm:user_edit", lambda w: {"pk": w.alice.pk}, "admin"),
    ("campaigns:leadform_create", None, "admin"),
]
COUNTED = [
    "people.Person", "people.Tag", "companies.Company", "companies.Membership", "campaigns.Campaign",
    "campaigns.CampaignMember", "opportunities.Opportunity", "opportunities.Product", "serviceorders.ServiceOrder",
    "serviceorders.Project", "activities.Activity", "crm.User", "campaigns.LeadForm",
]  # fmt: skip


def _counts():
    """Rows of every counted table, in one round trip (the sweep asks before and after each post)."""
    tables = [apps.get_model(label)._meta.db_table for label in COUNTED]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables))
        return dict(zip(COUNTED, cursor.fetchone(), strict=True))


def _outsider_id(field):
    """An existing row of the field's model that the field does not offer."""
    queryset = getattr(field, "queryset", None)
    if queryset is None:
        return None
    model = queryset.model
    return model._default_manager.exclude(pk__in=queryset.values("pk")).values_list("pk", flat=True).first()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs", "persona"), FORMS, ids=[f[0] for f in FORMS])
def test_every_field_survives_hostile_values(world, name, kwargs, persona):
    client = persona_client(world, persona)
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    form = client.get(url).context["form"]
    baseline = form_data(form)
    before = _counts()
    first = next(name for name in form.fields if name != "version")
    assert client.post(url, {**baseline, first: NUL}).status_code == 400
    assert _counts() == before
    for field_name, field in form.fields.items():
        if field_name == "version":
            continue
        values = _hostile_values(field)
        outsider = _outsider_id(field)
        if outsider is not None:
            values.append(str(outsider))
        for value in values:
            before = _counts()
            data = {**baseline, field_name: value}
            response = client.post(url, data, follow=True)
            assert response.status_code in (200, 403, 404), (field_name, value, response.status_code)
            page = response.content.decode()
            assert SCRIPT not in page, (field_name, "rendered HTML")
            assert "<img src=x" not in page, (field_name, "rendered HTML")
            if not response.redirect_chain:  # refused: an error to show, nothing stored
                assert _counts() == before, (field_name, value)
                shown = response.context.get("form") if response.context else None
                if shown is not None:
                    assert shown.errors, (field_name, value)
            if value == str(outsider):
                assert not response.redirect_chain or field_name in (shown.errors if shown else {}), (
                    field_name,
                    "accepted another user's record",
                )
        # Put the record back for the next field (an accepted value may have changed it).
        client.post(url, {**baseline, **form_data(client.get(url).context["form"])})


# The actions posted from buttons and small inline forms (no page of their own).
ACTION_FIELDS = [
    "stage", "position", "status", "comment", "text", "name", "color", "tag", "due_at", "owner",
    "agent", "assignee", "kind", "subject", "notes", "amount", "quantity", "unit_price", "discount",
    "product", "description", "tax_rate", "valid_days", "query", "company", "person", "rating",
    "detail", "next_contact_on", "invoice_number", "lost_reason", "improvement", "language",
    "version", "when", "date", "next", "reason", "area", "position_title", "hours", "minutes",
]  # fmt: skip
SKIPPED_ACTIONS = {"logout", "crm:set_language"}


def _post_only_actions():
    from crm.tests.test_access_walk import RULES

    for name, rule in sorted(RULES.items()):
        if rule.post_only and name not in SKIPPED_ACTIONS:
            persona = next(p for p in ("alice", "manager", "admin") if p in rule.allowed)
            yield pytest.param(name, rule, persona, id=name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "rule", "persona"), list(_post_only_actions()))
def test_every_action_survives_hostile_values(world, name, rule, persona):
    client = persona_client(world, persona)
    url = reverse(name, kwargs=rule.kwargs(world) if rule.kwargs else None)
    for value in [*HOSTILE, IMPOSSIBLE_DATE, HUGE_NUMBER]:
        response = client.post(url, dict.fromkeys(ACTION_FIELDS, value), follow=True)
        assert response.status_code in (200, 201, 204, 400, 403, 404, 405, 409), (value, response.status_code)
        page = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            # The API answers data, not markup: a refusal is an object naming what is wrong.
            body = response.json()
            assert isinstance(body, dict | list), (name, body)
            if response.status_code >= 400:
                assert isinstance(body, dict), (name, body)
                assert body, (name, "an empty refusal")
            continue
        assert SCRIPT not in page, (name, "rendered HTML")
        assert "<img src=x" not in page, (name, "rendered HTML")
