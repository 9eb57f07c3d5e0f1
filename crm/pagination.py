from __future__ import annotations

import base64
import json

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils.functional import cached_property

PER_PAGE = 25
# Counting a million rows per page view costs seconds; past this many, lists
# say "10,000+" and count no further.
COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """A paginator whose count stops at ``count_limit`` (one bounded query).

    ``keys_first``: a page's rows are found by their keys alone (the filters and the
    order on the list's own table), then read with their joins and annotations. When
    the filters leave thousands of rows, sorting them all with every joined table
    costs far more than one more query for the 25 shown."""

    def __init__(
        self, object_list, per_page, count_limit: int = COUNT_LIMIT, keys_first: bool = False, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit
        self.keys_first = keys_first

    def page(self, number) -> Page:
        page = super().page(number)
        if self.keys_first:
            keys = list(page.object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
            page.object_list = [rows[key] for key in keys if key in rows]
        return page

    @cached_property
    def count(self) -> int:
        # Counting needs no order, nor the columns and annotations a row shows (a count of
        # people per company would otherwise run for every row counted): for rows of a
        # model, their keys; rows of values(), groups or unions are counted as they are.
        rows = self.object_list.order_by()
        query = rows.query
        if not query.values_select and query.group_by is None and not query.combinator:
            rows = rows.values("pk")
        return rows[: self.count_limit + 1].count()

    @property
    def count_is_bounded(self) -> bool:
        return self.count > self.count_limit


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PER_PAGE,
    count: int | None = None,
    keys_first: bool = False,
) -> Page:
    """The requested page of ``queryset``; a bad page number gives the nearest page.
    ``count``: the number of rows when the caller already knows it (saves the count query);
    ``keys_first``: see :class:`BoundedPaginator`."""
    paginator = BoundedPaginator(queryset, per_page, keys_first=keys_first)
    if count is not None:
        paginator.count = min(count, paginator.count_limit + 1)  # sets the cached property
    return paginator.get_page(request.GET.get("page"))


class KeysetPaginator:
    """Pages of a long list by position in its order instead of by number: the
    page after (or before) a row is one index range scan, as fast at row 250,000
    as at row 25, where OFFSET would read every row before it.

    The queryset's ordering must end with the primary key and go one way
    (all ascending or all descending) over columns without NULLs; the cursor in
    the URL holds the sort values of the row the page starts after (``after``)
    or ends before (``before``).
    """

    # A search looks for its page among this many rows of the list first, then among
    # at most FEW matches through the search index (see first_matches).
    WINDOW = 2000
    FEW = 1000

    def __init__(
        self,
        queryset: QuerySet,
        per_page: int = PER_PAGE,
        count_limit: int = COUNT_LIMIT,
        narrow: Q | None = None,
    ):
        ordering = list(queryset.query.order_by)
        directions = {name.startswith("-") for name in ordering}
        names = [name.lstrip("-") for name in ordering]
        if len(directions) != 1 or names[-1] not in ("id", "pk"):
            raise ValueError("keyset pagination needs one direction and the primary key last")
        self.queryset = queryset
        self.per_page = per_page
        self.count_limit = count_limit
        self.descending = directions.pop()
        meta = queryset.model._meta
        self.fields = [meta.pk if name == "pk" else meta.get_field(name) for name in names]
        self.narrow = narrow

    @cached_property
    def count(self) -> int:
        queryset = self.queryset.filter(self.narrow) if self.narrow is not None else self.queryset
        return queryset.order_by()[: self.count_limit + 1].count()

    def _rows(self, queryset: QuerySet, limit: int, cursor: bool = True) -> list:
        """The first ``limit`` rows of ``queryset``, narrowed by the search if
        any (see :func:`first_matches`).

        The page's keys are read first, from the list's own table in its order (a walk
        down its index that stops after ``limit``), then its rows with their joins: a
        deep page's condition on the sort keys is estimated at a handful of rows, and
        PostgreSQL would otherwise join every earlier row to its owner and sort them all
        (1.8 s at page 10,000 of a million people)."""
        if self.narrow is None and not cursor:
            return list(queryset[:limit])  # the first page: the walk down the index stops at once
        if self.narrow is None:
            keys = list(queryset.values_list("pk", flat=True)[:limit])
            if not keys:
                return []
            # By their keys alone: the cursor's condition would steer the plan back to the walk.
            found = {row.pk: row for row in self.queryset.order_by().filter(pk__in=keys)}
            return [found[key] for key in keys if key in found]
        lookups = queryset._prefetch_related_lookups
        rows = first_matches(queryset.prefetch_related(None), self.narrow, limit)
        prefetch_related_objects(rows, *lookups)
        return rows

    def encode(self, row) -> str:
        values = [field.value_to_string(row) for field in self.fields]
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    def decode(self, token: str) -> list | None:
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if not isinstance(raw, list) or len(raw) != len(self.fields):
                return None
            values = [field.to_python(value) for field, value in zip(self.fields, raw, strict=True)]
        except (ValueError, TypeError, ValidationError):
            return None
        return None if any(value is None for value in values) else values

    def _beyond(self, values: list, forward: bool) -> RawSQL:
        table = self.queryset.model._meta.db_table
        columns = ", ".join(f'"{table}"."{field.column}"' for field in self.fields)
        operator = "<" if self.descending == forward else ">"
        marks = ", ".join(["%s"] * len(values))
        return RawSQL(f"({columns}) {operator} ({marks})", values, output_field=BooleanField())

    def get_page(self, request: HttpRequest) -> KeysetPage:
        after = self.decode(request.GET.get("after", "")) if request.GET.get("after") else None
        before = (
            self.decode(request.GET.get("before", "")) if request.GET.get("before") and not after else None
        )
        if before is not None:
            backwards = self.queryset.filter(self._beyond(before, forward=False)).reverse()
            rows = self._rows(backwards, self.per_page + 1)
            has_previous = len(rows) > self.per_page
            rows = rows[: self.per_page][::-1]
            return KeysetPage(self, rows, has_previous=has_previous, has_next=True)
        queryset = self.queryset if after is None else self.queryset.filter(self._beyond(after, forward=True))
        rows = self._rows(queryset, self.per_page + 1, cursor=after is not None)
        return KeysetPage(
            self, rows[: self.per_page], has_previous=after is not None, has_next=len(rows) > self.per_page
        )


class KeysetPage:
    """One page of a KeysetPaginator: its rows, and the cursors of its neighbours."""

    def __init__(self, paginator: KeysetPaginator, rows: list, *, has_previous: bool, has_next: bool):
        self.paginator = paginator
        self.object_list = rows
        self.has_previous = has_previous and bool(rows)
        self.has_next = has_next and bool(rows)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def after(self) -> str:
        return self.paginator.encode(self.object_list[-1]) if self.object_list else ""

    @property
    def before(self) -> str:
        return self.paginator.encode(self.object_list[0]) if self.object_list else ""


def keyset_paginate(
    request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE, narrow=None
) -> KeysetPage:
    """The page of ``queryset`` (narrowed by ``narrow``, a search condition) the request's cursor
    points at (the first page without one)."""
    return KeysetPaginator(queryset, per_page, narrow=narrow).get_page(request)


def first_matches(queryset: QuerySet, condition: Q, limit: int, fields: tuple[str, ...] = ()) -> list:
    """The first ``limit`` rows of the ordered ``queryset`` that match
    ``condition`` (a search), in at most three queries whatever the data; with ``fields``,
    as ``values(*fields)``, whose joins (a card's board and stage) are then made for the rows
    found only, not for the window read to find them.

    PostgreSQL cannot tell how common a searched word prefix is, so it guesses,
    and a wrong guess costs a scan of a million rows either way. So the search
    decides: (1) a common word has its rows among the first WINDOW rows of the
    list, read in order with the match worked out for each (an index range
    scan); (2) failing that, a rare word has at most FEW matches, found through
    the search index; (3) otherwise the plain query.
    """
    window = queryset.annotate(hit=ExpressionWrapper(condition, output_field=BooleanField()))
    hits = [pk for pk, hit in window.values_list("pk", "hit")[: KeysetPaginator.WINDOW] if hit][:limit]
    if len(hits) < limit:
        few = list(
            queryset.filter(condition).order_by().values_list("pk", flat=True)[: KeysetPaginator.FEW + 1]
        )
        hits = few if len(few) <= KeysetPaginator.FEW else None
    found = queryset.filter(condition) if hits is None else queryset.filter(pk__in=hits)
    return list((found.values(*fields) if fields else found)[:limit])
