"""crm.validation.full_clean: Django's full_clean errors, with a record's checks in one query."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.models import Activity
from crm.validation import full_clean
from opportunities.models import Quote
from opportunities.tests.factories import OpportunityFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _errors(validate) -> dict:
    """The errors by field ({}: valid)."""
    try:
        validate()
    except ValidationError as error:
        return {
            field: [str(message) for message in messages] for field, messages in error.message_dict.items()
        }
    return {}


def _activity(**fields) -> Activity:
    person = fields.pop("person", None)
    owner = fields.pop("owner", None) or (person.owner if person else PersonFactory().owner)
    values = {"kind": Activity.Kind.CALL, "subject": "Call", "done_at": timezone.now(), **fields}
    return Activity(person=person, owner=owner, created_by=owner, **values)


@pytest.mark.parametrize(
    "fields",
    [
        {"duration": 0},  # both checks fail: no person or company, a duration out of bounds
        {"duration": 30, "subject": ""},  # a field's own error and a check's
        {"duration": 10_000, "kind": "nonsense"},
    ],
)
def test_the_errors_are_djangos(fields):
    activity = _activity(**fields)
    errors = _errors(lambda: full_clean(activity))
    assert errors
    assert errors == _errors(activity.full_clean)


def test_a_check_comparing_two_fields_and_an_excluded_field():
    opportunity = OpportunityFactory()
    quote = Quote(
        opportunity=opportunity,
        issued_on=datetime.date(2026, 12, 1),
        valid_until=datetime.date(2026, 11, 1),
        tax_rate=Decimal("150"),
        created_by=opportunity.agent,
    )
    errors = _errors(lambda: full_clean(quote))
    assert "The quote cannot expire before its date." in errors["__all__"]
    assert errors == _errors(quote.full_clean)
    assert _errors(lambda: full_clean(quote, exclude=["valid_until", "tax_rate"])) == _errors(
        lambda: quote.full_clean(exclude=["valid_until", "tax_rate"])
    )


def test_a_valid_record_is_checked_in_one_query_inside_a_transaction(django_assert_num_queries):
    """Its relations were given as records; its two checks are one SELECT in one savepoint."""
    activity = _activity(person=PersonFactory())
    with transaction.atomic(), django_assert_num_queries(3):  # SAVEPOINT, SELECT, RELEASE
        full_clean(activity)
    assert _errors(activity.full_clean) == {}  # and Django agrees it is valid


def test_a_relation_given_by_id_alone_is_still_looked_up():
    person = PersonFactory()
    activity = _activity(person=person)
    activity.person_id = person.pk + 1000  # no such person
    errors = _errors(lambda: full_clean(activity))
    assert "person" in errors
    assert errors == _errors(activity.full_clean)
