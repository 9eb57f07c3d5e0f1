"""What the People module tells other modules.

``changed_in_bulk``: people changed many at once by an import, their timeline written
by its fast COPY path (the services' changes are heard through crm.signals.events_recorded). Sent with
``kind`` (a :class:`people.models.PersonEvent.Kind` value: what happened to each)
and ``ids`` (the people's primary keys), inside the transaction that changed them.
The webhooks announce each person (api.webhooks), as they do for the changes
made one at a time through the timeline's own events.

``imported``: an import wrote a chunk of people. Sent with ``user`` (who imports),
``owner`` (whom new records go to), ``options`` (the job's options as chosen: a
``campaign`` id when the import started from a campaign) and ``rows`` (the rows written:
``record_id``, ``values``, ``action``), inside the import's transaction. The companies
module places the people in the companies the file names; the campaigns module adds them
to the campaign the import started from.
"""

from django.dispatch import Signal

changed_in_bulk = Signal()
imported = Signal()
