"""Notes the core writes on a record's timeline: a file attached or deleted, two records
merged. Timelines belong to the activities app, which registers the writer as it starts
(``ActivitiesConfig.ready``); the core never imports it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_writer: Callable | None = None


def register(writer: Callable) -> None:
    """``writer(record=, field=, by=, subject=, detail=)`` writes one note."""
    global _writer
    _writer = writer


def write(*, record, field: str, by, subject: str, detail: str = ""):
    """A done note on ``record``'s timeline; ``field`` names the record's kind."""
    if _writer is None:
        raise ImproperlyConfigured("No timeline is registered: is the activities app installed?")
    return _writer(record=record, field=field, by=by, subject=subject, detail=detail)
