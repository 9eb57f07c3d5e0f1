"""What the core tells other modules.

``events_recorded``: events were written on records' timelines (:meth:`crm.models.Event.record`),
one change or a set of them. Sent with ``sender`` (the event model) and ``events`` (the
saved rows), inside the transaction that made the change. The webhooks announce them.

``worker_starting``: the task worker is starting (``stdout``: where to report); apps plan
their recurring tasks (the activities' morning digest).

``message_received``: a customer's message was filed on a timeline (an email read from a
mailbox, a WhatsApp message): sent with ``activity`` (the received activity, its
``in_reply_to`` what it answers), inside the transaction that filed it.

``job_finished``: a user's long work ended (an import, an export): sent with ``user``, ``ok``
(finished or failed), ``name`` (what it was: the file) and ``url`` (its page). The
activities tell the user in their notifications.

``person_erased``: a person was erased (crm.personal_data): sent with ``person_id`` and ``at``,
inside the erasure's transaction; nothing else of them is left to send.

``large_export``: someone took more rows of personal data out than the team's threshold (an
export, an API listing): sent with ``entry`` (crm.models.ExportAudit).
"""

from django.dispatch import Signal

events_recorded = Signal()
worker_starting = Signal()
job_finished = Signal()
message_received = Signal()
person_erased = Signal()
large_export = Signal()
