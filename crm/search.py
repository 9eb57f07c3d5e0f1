"""The global search: one box finds people, companies, opportunities, campaigns
and service orders at once (names, emails, phones in any format, tax ids, order
numbers), accent-insensitive, only what the user may see.

Each app registers its group from its own ``search.py`` (autodiscovered when the
project starts, as django.contrib.admin finds each app's ``admin.py``): the core
knows no app. Every group is one indexed query (the ``search`` tsvector columns with their GIN
indexes, phones and tax ids by their b-tree indexes, orders by number), at most
``limit`` rows each: five queries, whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

MIN_LENGTH = 2
MAX_LENGTH = 100


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    label: str
    icon: str
    more_url: str
    hits: list[Hit] = field(default_factory=list)


Finder = Callable[..., Group]
# (position, finder): the groups in the order the page shows them.
_FINDERS: list[tuple[int, Finder]] = []


def register(position: int) -> Callable[[Finder], Finder]:
    """Add ``finder(user, term, limit) -> Group`` to the global search at ``position``."""

    def decorator(finder: Finder) -> Finder:
        if all(existing is not finder for _position, existing in _FINDERS):
            _FINDERS.append((position, finder))
            _FINDERS.sort(key=lambda pair: pair[0])
        return finder

    return decorator


def more_url(url_name: str, **params) -> str:
    return f"{reverse(url_name)}?{urlencode(params)}"


def search(user, term: str, *, limit: int = 5) -> list[Group]:
    """The groups with hits for ``term``, in a fixed order."""
    term = " ".join(term.split())[:MAX_LENGTH]
    if len(term) < MIN_LENGTH:
        return []
    groups = [finder(user, term, limit) for _position, finder in _FINDERS]
    return [group for group in groups if group.hits]
