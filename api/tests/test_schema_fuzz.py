"""A bounded schemathesis run against the OpenAPI schema: generated requests,
valid or not, never make the API answer 500."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from api.models import ApiToken
from opportunities.tests.factories import OpportunityFactory, PipelineFactory

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
)
schema.app = get_wsgi_application()


@pytest.fixture
def bearer(manager, alice):
    OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice)
    _token, text = ApiToken.issue(user=manager, name="fuzz")
    # As Django's test client does: the test's transaction outlives each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {text}"}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_500(case, bearer):
    response = case.call(headers=bearer)
    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        response.status_code,
        response.text[:300],
    )
