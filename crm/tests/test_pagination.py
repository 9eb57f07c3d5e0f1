"""The numbered lists' paginator counts what the list shows, bounded, in one query
that carries neither the order nor what each row shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.pagination import BoundedPaginator

pytestmark = pytest.mark.django_db


def _count(queryset, limit=100) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        count = BoundedPaginator(queryset, 25, count_limit=limit).count
    assert len(queries) == 1
    return count, queries[0]["sql"]


def test_rows_of_a_model_are_counted_by_their_keys_only():
    for company in CompanyFactory.create_batch(3):
        MembershipFactory.create_batch(2, company=company)
    people = Membership.objects.filter(company=OuterRef("pk")).order_by().values("company")
    rows = Company.objects.annotate(people=Subquery(people.annotate(n=Count("*")).values("n"))).order_by(
        "name"
    )
    count, sql = _count(rows)
    assert count == 3
    assert "companies_membership" not in sql  # the per-row count is not run to count rows
    assert "ORDER BY" not in sql


def test_grouped_rows_and_distinct_rows_are_counted_as_shown():
    for company in CompanyFactory.create_batch(3):
        MembershipFactory.create_batch(2, company=company)
    by_company = Membership.objects.values("company").annotate(n=Count("*"))
    assert _count(by_company)[0] == 3
    with_people = Company.objects.filter(memberships__isnull=False)
    assert _count(with_people)[0] == 6  # a row per membership, as the list would show
    assert _count(with_people.distinct())[0] == 3


def test_the_count_stops_past_its_limit():
    CompanyFactory.create_batch(4)
    assert _count(Company.objects.all(), limit=2)[0] == 3  # "more than 2"


def test_keys_first_reads_a_page_by_its_keys_and_keeps_order_and_annotations():
    for n in range(30):
        MembershipFactory.create_batch(n % 3, company=CompanyFactory(name=f"Empresa {n:02d}"))
    people = Membership.objects.filter(company=OuterRef("pk")).order_by().values("company")
    rows = (
        Company.objects.select_related("owner")
        .annotate(people=Subquery(people.annotate(n=Count("*")).values("n")))
        .order_by("-name", "id")
    )
    with CaptureQueriesContext(connection) as queries:
        page = BoundedPaginator(rows, 25, keys_first=True).page(2)
        shown = [(c.name, c.people or 0, c.owner_id is not None) for c in page.object_list]
    assert shown == [(f"Empresa {n:02d}", n % 3, True) for n in range(4, -1, -1)]
    count, keys, page_rows = (q["sql"] for q in queries)  # the count, the keys, the rows
    assert "companies_membership" not in count + keys  # neither runs the per-row count
    assert "crm_user" not in keys  # nor the joins
    assert "companies_membership" in page_rows
    assert "crm_user" in page_rows
