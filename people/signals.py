"""What the People module tells other modules.

``changed_in_bulk``: people changed many at once, their timeline written in bulk
or not at all (an import, a bulk action or its undo, a deleted tag). Sent with
``kind`` (a :class:`people.models.PersonEvent.Kind` value: what happened to each)
and ``ids`` (the people's primary keys), inside the transaction that changed them.
The webhooks announce each person (api.webhooks), as they do for the changes
made one at a time through the timeline's own events.
"""

from django.dispatch import Signal

changed_in_bulk = Signal()
