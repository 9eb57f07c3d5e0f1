"""Every change of the main records, kept by PostgreSQL triggers (django-pghistory).

`tracked` decorates a model: inserts, updates (when a tracked field changes) and deletes are
copied into its `<Model>History` table by triggers, so bulk updates, COPY imports and SQL
outside Django are recorded too. The acting user and the URL or task come from
`pghistory.context` (HistoryMiddleware for requests; the tasks set their own).
"""

from __future__ import annotations

import pghistory


def tracked(*exclude: str):
    """Track a model's changes, except the named fields (derived or secret ones)."""

    def decorate(model):
        return pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            exclude=list(exclude) or None,
            obj_field=pghistory.ObjForeignKey(related_name="history", related_query_name="history"),
            model_name=f"{model.__name__}History",
        )(model)

    return decorate
