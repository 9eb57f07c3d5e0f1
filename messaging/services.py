"""State changes of the channels: mailboxes saved and removed, and messages of the Inbox
filed by hand, made into a prospect or dismissed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm import access
from crm.models import User
from messaging import filing, secrets
from messaging.models import InboundEmail, Mailbox
from people import services as people_services
from people.models import Person

MAILBOX_FIELDS = ("address", "host", "port", "use_ssl", "username", "folder", "active")


def mailbox_save(*, by: User, mailbox: Mailbox | None, team: bool, password: str = "", **fields) -> Mailbox:
    """Connect a mailbox (the user's own, or the team's shared one: administrators) or change
    it; it must sign in with what was typed. The password is kept encrypted; left empty on a
    change, the saved one stays."""
    from messaging import imap

    if team and not access.is_admin(by):
        raise ValidationError(_("Only administrators connect the team's mailbox."))
    mailbox = mailbox or Mailbox(user=None if team else by)
    for name in MAILBOX_FIELDS:
        if name in fields:
            setattr(mailbox, name, fields[name])
    if password:
        mailbox.password_encrypted = secrets.hide(password)
    if not mailbox.password_encrypted:
        raise ValidationError({"password": _("Type the mailbox's password (an app password).")})
    mailbox.full_clean(exclude=["password_encrypted"])
    try:
        with imap.connect(mailbox):
            pass
    except Exception as error:  # whatever the server or the network says, shown to the user
        raise ValidationError(
            _("The CRM could not sign in to this mailbox: %(error)s") % {"error": str(error)[:300]}
        ) from error
    mailbox.error = ""
    mailbox.save()
    return mailbox


@transaction.atomic
def mailbox_delete(*, mailbox: Mailbox, by: User) -> None:
    mailbox.delete()


@transaction.atomic
def inbound_file(*, inbound: InboundEmail, person: Person, by: User) -> None:
    """File a waiting message on a person the user may work."""
    inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status != InboundEmail.Status.WAITING:
        raise ValidationError(_("This message has already been dealt with."))
    filing.file(inbound=inbound, people=[person], by=by)


@transaction.atomic
def inbound_to_prospect(*, inbound: InboundEmail, by: User, first_name: str, last_name: str = "") -> Person:
    """A new prospect of the user's from a waiting message's sender, the message on their
    timeline."""
    person = people_services.person_create(
        by=by,
        first_name=first_name,
        last_name=last_name,
        email=inbound.from_email,
        source=Person.Source.EMAIL,
        owner=by,
    )
    inbound_file(inbound=inbound, person=person, by=by)
    return person


@transaction.atomic
def inbound_dismiss(*, inbound: InboundEmail, by: User) -> None:
    InboundEmail.objects.filter(pk=inbound.pk, status=InboundEmail.Status.WAITING).update(
        status=InboundEmail.Status.DISMISSED
    )
