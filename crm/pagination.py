from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

PER_PAGE = 25
# Counting a million rows per page view costs seconds; past this many, lists
# say "10,000+" and count no further.
COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """A paginator whose count stops at ``count_limit`` (one bounded query)."""

    def __init__(self, object_list, per_page, count_limit: int = COUNT_LIMIT, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.count_limit + 1].count()

    @property
    def count_is_bounded(self) -> bool:
        return self.count > self.count_limit


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE) -> Page:
    """The requested page of ``queryset``; a bad page number gives the nearest page."""
    return BoundedPaginator(queryset, per_page).get_page(request.GET.get("page"))
