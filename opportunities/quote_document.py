"""What a quote says, written once for its page and its PDF: the issuer (the team's legal
name, tax id, address and logo from Team settings, read when the quote is shown, so a change
of the settings shows on the next view), the client (the company's tax id and address), the
lines and totals as the team's country writes money (crm.locales), and the terms the quote
was made with."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm import locales, team
from crm.models import TeamSettings
from crm.taxids import labelled_tax_id
from opportunities.models import Quote


@dataclass
class Party:
    name: str
    lines: list[str] = field(default_factory=list)


@dataclass
class QuoteDocument:
    language: str  # the team's locale: es-pe, pt-br...
    title: str
    issued_on: str
    valid_until: str
    issuer: Party
    logo: TeamSettings | None  # the settings holding the logo, when there is one
    client: Party
    contact: str
    subject: str
    rows: list[tuple[str, str, str, str, str]]  # description, quantity, unit price, discount, total
    subtotal: str
    tax_label: str
    tax: str
    total: str
    notes: str
    terms: str
    prepared_by: str


def build(quote: Quote, lines: list) -> QuoteDocument:
    """The quote as its reader sees it, in the team's language and number format."""
    settings = team.current()
    language = locales.team_language(settings.country)
    with translation.override(language):
        locale = locales.active()
        currency = quote.currency

        def money(value) -> str:
            return locales.money(value, currency, locale=locale)

        opportunity = quote.opportunity
        company = opportunity.company
        if company is not None:
            client = Party(
                str(company),
                [
                    line
                    for line in (
                        labelled_tax_id(company.tax_id, company.country),
                        company.address,
                        ", ".join(
                            part for part in (company.city, str(company.get_country_display())) if part
                        ),
                    )
                    if line
                ],
            )
        else:
            client = Party(str(opportunity.contact or ""))
        issuer = Party(
            settings.legal_name,
            [
                line
                for line in (
                    labelled_tax_id(settings.tax_id, settings.country),
                    *settings.address.splitlines(),
                )
                if line
            ],
        )
        totals = quote.totals(lines)
        tax_name = quote.tax_name or _("Tax")
        return QuoteDocument(
            language=language,
            title=_("Quote %(number)s") % {"number": quote},
            issued_on=date_format(quote.issued_on, "SHORT_DATE_FORMAT"),
            valid_until=date_format(quote.valid_until, "SHORT_DATE_FORMAT") if quote.valid_until else "",
            issuer=issuer,
            logo=settings if settings.logo else None,
            client=client,
            contact=str(opportunity.contact) if opportunity.contact and company else "",
            subject=opportunity.subject,
            rows=[
                (
                    line.description,
                    locales.number(line.quantity, 2, trim=True, locale=locale),
                    money(line.unit_price),
                    locales.number(line.discount, 2, trim=True, locale=locale),
                    money(line.total),
                )
                for line in lines
            ],
            subtotal=money(totals["subtotal"]),
            tax_label=f"{tax_name} {locales.number(quote.tax_rate, 2, trim=True, locale=locale)} %",
            tax=money(totals["tax"]),
            total=money(totals["total"]),
            notes=quote.notes,
            terms=quote.terms,
            prepared_by=str(quote.created_by),
        )
