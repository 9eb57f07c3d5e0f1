from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 25


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE) -> Page:
    """The requested page of ``queryset``; a bad page number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
