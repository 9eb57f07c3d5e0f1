"""Notifications: what a user should know, in their bell and their morning digest.

:func:`notify` is the one way they are written, by every module (mentions, records given,
leads, cards followed, orders assigned, imports and exports, failing webhooks and mailboxes),
for one user or many: each gets the sentence in their own language. Reading them:
:func:`unread_count` (folded into the navigation's one query), :func:`mark_read`,
:func:`age_out` (after ``KEEP_DAYS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Notification
from crm import team
from crm.cache import forget_user_figures
from crm.models import User

KEEP_DAYS = 90
Kind = Notification.Kind


def _text_field_limit(name: str) -> int:
    return Notification._meta.get_field(name).max_length


def notify(
    users: Iterable[User | int | None],
    *,
    kind: str,
    text: Callable[[], str],
    url: str = "",
    actor: User | None = None,
    detail: str = "",
) -> list[Notification]:
    """Tell ``users`` (ids or users; the actor, repeats, nobody and inactive users are left
    out) something of ``kind``. ``text`` is called once per user in that user's language
    (``lambda: _("%(name)s mentioned you") % {...}``); ``url`` is the record's page."""
    ids = {getattr(user, "pk", user) for user in users} - {None, getattr(actor, "pk", None)}
    if not ids:
        return []
    recipients = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    now = timezone.now()
    detail = " ".join((detail or "").split())[: _text_field_limit("detail")]
    # The sentence is written once per language and country among the readers.
    readers: dict[tuple[str, str], list[User]] = {}
    for user in recipients:
        readers.setdefault((user.language, user.country), []).append(user)
    rows = []
    for users in readers.values():
        with team.speaking_as(users[0]):
            sentence = " ".join(str(text()).split())[: _text_field_limit("text")]
        rows += [
            Notification(
                user=user,
                kind=kind,
                actor=actor,
                text=sentence,
                detail=detail,
                url=url[: _text_field_limit("url")],
                created_at=now,
            )
            for user in users
        ]
    created = Notification.objects.bulk_create(rows)
    # Their navigation's unread count is counted afresh once this is committed.
    recipients_ids = sorted({row.user_id for row in created})
    transaction.on_commit(lambda: forget_user_figures(recipients_ids))
    return created


def unread(user: User):
    return Notification.objects.filter(user=user, read_at=None)


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications ``ids`` (all of them when None) read."""
    queryset = unread(user)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def age_out(now=None) -> int:
    """Delete the notifications older than ``KEEP_DAYS``."""
    limit = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    deleted, _by_model = Notification.objects.filter(created_at__lt=limit).delete()
    return deleted


def admins() -> list[int]:
    """The active administrators (told of failing webhooks and mailboxes)."""
    return list(User.objects.filter(role="admin", is_active=True).values_list("pk", flat=True))


def given(
    *,
    to: User | int | None,
    by: User,
    ids: Iterable[int],
    model,
    several: Callable[[int], str] | None = None,
    list_url: str = "",
    kind: str = Kind.GIVEN,
) -> None:
    """``by`` gave ``to`` the records ``ids`` of ``model``: one is named and linked, several
    are counted (``several(count)``, a sentence in the reader's language) and link to
    ``list_url`` (both needed only where several may be given at once)."""
    ids = list(ids)
    if not ids or to is None:
        return
    if len(ids) == 1:
        record = model.objects.get(pk=ids[0])

        def text() -> str:
            return _("%(name)s gave you %(record)s") % {"name": by, "record": record}

        url = record.get_absolute_url()
    else:

        def text() -> str:
            return several(len(ids))

        url = list_url
    notify([to], kind=kind, actor=by, text=text, url=url)


def job_finished(sender=None, *, user, ok: bool, name: str, url: str, **kwargs) -> None:
    """crm.signals.job_finished: tell the user their import or export ended."""
    notify(
        [user],
        kind=Kind.JOB,
        text=lambda: (_("Finished: %(name)s") if ok else _("Failed: %(name)s")) % {"name": name},
        url=url,
    )


def large_export(sender=None, *, entry, **kwargs) -> None:
    """crm.signals.large_export: tell the administrators who took many rows of personal data
    out (the export log on the Personal data page has the filters)."""
    from django.urls import reverse

    by = entry.by
    notify(
        [pk for pk in admins() if pk != getattr(by, "pk", None)],
        kind=Kind.EXPORT,
        text=lambda: (
            _("%(name)s took %(rows)s rows of %(what)s out")
            % {"name": by or _("Someone"), "rows": entry.rows, "what": entry.what}
        ),
        url=reverse("crm:privacy") + "?tab=exports",
        actor=by,
    )


def failing(*, text: Callable[[], str], url: str, detail: str = "", also=()) -> None:
    """Tell the administrators (and ``also``) that something keeps failing (a webhook, a
    mailbox); once, until they have read it."""
    if Notification.objects.filter(kind=Kind.FAILING, url=url, read_at=None).exists():
        return
    notify([*admins(), *also], kind=Kind.FAILING, text=text, url=url, detail=detail)
