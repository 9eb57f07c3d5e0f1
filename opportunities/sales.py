"""The catalog, opportunity lines, quotes, and converting a prospect
(seed 001 "Cerrar prospecto"): state changes, each in one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from companies.services import company_create, membership_add
from crm import bounds, team
from crm.models import User
from crm.numbers import next_number
from crm.validation import full_clean
from opportunities.models import (
    Opportunity,
    OpportunityEvent,
    OpportunityLine,
    Pipeline,
    Product,
    Quote,
    QuoteLine,
)
from opportunities.services import _event, opportunity_create
from people.models import Person
from people.services import person_set_stage

PRODUCT_FIELDS = ("code", "name", "description", "unit_price", "currency", "active")


@transaction.atomic
def product_save(*, product: Product | None = None, **fields: Any) -> Product:
    product = product or Product()
    for name, value in fields.items():
        if name not in PRODUCT_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(product, name, value)
    product.code = product.code.strip().upper()
    full_clean(product)
    product.save()
    return product


def _sync_amount(opportunity: Opportunity) -> None:
    """The amount follows the lines when there are any."""
    lines = list(opportunity.lines.all())
    if lines:
        amount = sum((line.total for line in lines), Decimal("0.00"))
        Opportunity.objects.filter(pk=opportunity.pk).update(amount=amount, updated_at=timezone.now())
        opportunity.amount = amount


@transaction.atomic
def line_add(
    *,
    opportunity: Opportunity,
    by: User,
    product: Product | None = None,
    description: str = "",
    quantity: Decimal = Decimal(1),
    unit_price: Decimal | None = None,
    discount: Decimal = Decimal(0),
) -> OpportunityLine:
    if product is None and not description.strip():
        raise ValidationError({"description": _("Choose a product or describe the line.")})
    if unit_price is None:
        if product is None:
            raise ValidationError({"unit_price": _("Enter the unit price.")})
        unit_price = product.unit_price
    line = OpportunityLine(
        opportunity=opportunity,
        product=product,
        description=description.strip() or product.name,
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
    )
    full_clean(line)
    column = Opportunity._meta.get_field("amount")
    total = sum((other.total for other in opportunity.lines.all()), line.total)
    if not bounds.decimal_fits(total, max_digits=column.max_digits, decimal_places=column.decimal_places):
        raise ValidationError({"quantity": _("The opportunity's total would be too large.")})
    line.save()
    _sync_amount(opportunity)
    _event(opportunity, OpportunityEvent.Kind.LINES, by, new=f"+ {line.quantity} x {line.description}")
    return line


@transaction.atomic
def line_remove(*, line: OpportunityLine, by: User) -> None:
    opportunity = line.opportunity
    text = f"- {line.quantity} x {line.description}"
    line.delete()
    _sync_amount(opportunity)
    _event(opportunity, OpportunityEvent.Kind.LINES, by, new=text)


@transaction.atomic
def quote_create(
    *,
    opportunity: Opportunity,
    by: User,
    tax_rate: Decimal | None = None,
    valid_days: int | None = None,
    notes: str = "",
) -> Quote:
    """A quote with the opportunity's lines as they are now (or its amount as
    one line when it has none), with the team's tax, validity and terms unless told."""
    settings = team.current()
    tax_rate = settings.tax_rate if tax_rate is None else tax_rate
    valid_days = settings.quote_validity_days if valid_days is None else valid_days
    lines = list(opportunity.lines.all())
    if not lines and not opportunity.amount:
        raise ValidationError(_("Add products or an amount to the opportunity before quoting."))
    today = timezone.localdate()
    quote = Quote(
        opportunity=opportunity,
        issued_on=today,
        valid_until=today + datetime.timedelta(days=valid_days),
        currency=opportunity.currency,
        tax_name=settings.tax_name,
        tax_rate=tax_rate,
        notes=notes.strip(),
        terms=settings.quote_terms,
        created_by=by,
        number=next_number("quote"),
    )
    full_clean(quote)
    quote.save()
    copies = [
        QuoteLine(
            quote=quote,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
        )
        for line in lines
    ] or [QuoteLine(quote=quote, description=opportunity.subject, quantity=1, unit_price=opportunity.amount)]
    QuoteLine.objects.bulk_create(copies)
    _event(opportunity, OpportunityEvent.Kind.QUOTE, by, new=f"{quote} · {quote.get_status_display()}")
    return quote


@transaction.atomic
def quote_set_status(*, quote: Quote, by: User, status: str) -> Quote:
    if status not in Quote.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if quote.status != status:
        old = quote.get_status_display()
        quote.status = status
        quote.save(update_fields=["status"])
        _event(
            quote.opportunity,
            OpportunityEvent.Kind.QUOTE,
            by,
            old=f"{quote} · {old}",
            new=f"{quote} · {quote.get_status_display()}",
        )
    return quote


@transaction.atomic
def quote_email(*, quote: Quote, by: User, subject: str, body: str, cc: list[str] | tuple = ()):
    """Send a quote to its opportunity's contact with its PDF attached (activities.mail):
    the email goes on the contact's and the card's timeline, the quote becomes sent and the
    card's history says to whom."""
    from activities.services import email_send
    from opportunities import quote_document
    from opportunities.pdf import quote_pdf

    contact = quote.opportunity.contact
    if contact is None or not contact.email:
        raise ValidationError(
            _("The card's contact has no email address: add one, or send the PDF yourself.")
        )
    pdf = quote_pdf(quote_document.build(quote, list(quote.lines.all())))
    email = email_send(
        by=by,
        person=contact,
        subject=subject,
        body=body,
        cc=cc,
        opportunity=quote.opportunity,
        attachments=[(f"{quote}.pdf", pdf, "application/pdf")],
    )
    if quote.status == Quote.Status.DRAFT:
        quote_set_status(quote=quote, by=by, status=Quote.Status.SENT)
    _event(
        quote.opportunity,
        OpportunityEvent.Kind.QUOTE,
        by,
        new=_("%(quote)s sent by email to %(email)s") % {"quote": quote, "email": contact.email},
    )
    return email


def quote_email_draft(quote: Quote, by: User) -> dict:
    """What the quote's email says before the user changes it, in the team's language."""
    from django.utils import translation
    from django.utils.formats import date_format

    from crm import locales

    settings = team.current()
    contact = quote.opportunity.contact
    with translation.override(locales.team_language(settings.country)):
        subject = _("Quote %(quote)s: %(subject)s") % {"quote": quote, "subject": quote.opportunity.subject}
        body = _(
            "Hello %(first_name)s,\n\nPlease find attached our quote %(quote)s for %(subject)s"
            "%(valid)s.\n\nBest regards,\n%(agent)s\n%(team)s"
        ) % {
            "first_name": contact.first_name if contact else "",
            "quote": quote,
            "subject": quote.opportunity.subject,
            "valid": (
                _(", valid until %(date)s") % {"date": date_format(quote.valid_until, "SHORT_DATE_FORMAT")}
                if quote.valid_until
                else ""
            ),
            "agent": by.name,
            "team": settings.legal_name,
        }
    return {"subject": subject[:200], "body": body.rstrip()}


@transaction.atomic
def person_convert(
    *,
    person: Person,
    by: User,
    stage: str,
    company: Company | None = None,
    new_company: dict | None = None,
    area: str = "",
    position: str = "",
    pipeline: Pipeline | None = None,
    subject: str = "",
    amount: Decimal | None = None,
) -> tuple[Company | None, Opportunity | None]:
    """Close a prospect in one step: link (or create) their company, move them
    to interested or client, and optionally open an opportunity on a board."""
    if stage not in (Person.Stage.INTERESTED, Person.Stage.CLIENT):
        raise ValidationError({"stage": _("Choose interested or client.")})
    if new_company:
        company = company_create(by=by, owner=person.owner, **new_company)
    if company is not None:
        membership_add(person=person, company=company, area=area, position=position)
    if person.stage != stage:
        person_set_stage(person=person, by=by, stage=stage)
    opportunity = None
    if pipeline is not None:
        opportunity = opportunity_create(
            by=by,
            pipeline=pipeline,
            subject=subject or _("Opportunity with %(name)s") % {"name": person},
            company=company,
            contact=person,
            agent=person.owner if pipeline.members.filter(pk=person.owner_id).exists() else by,
            amount=amount,
            source=person.source,
        )
    return company, opportunity
