"""A quote as an A4 PDF (reportlab: pure Python, no system libraries)."""

from __future__ import annotations

import io

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from opportunities.models import Quote


def _money(value, currency: str) -> str:
    return f"{currency} {number_format(value, 2, force_grouping=True)}"


def quote_pdf(quote: Quote, lines: list, issuer: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=str(quote), author=issuer,
    )  # fmt: skip
    styles = getSampleStyleSheet()
    opportunity = quote.opportunity
    client = opportunity.company or opportunity.contact
    story = [
        Paragraph(f"{_('Quote')} {quote}", styles["Title"]),
        Paragraph(
            f"{_('Date')}: {date_format(quote.issued_on, 'SHORT_DATE_FORMAT')}"
            + (
                f" · {_('Valid until')}: {date_format(quote.valid_until, 'SHORT_DATE_FORMAT')}"
                if quote.valid_until
                else ""
            ),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{_('For')}</b>: {_escape(client)}", styles["Normal"]),
    ]
    if opportunity.contact and opportunity.company:
        story.append(Paragraph(f"<b>{_('Contact')}</b>: {_escape(opportunity.contact)}", styles["Normal"]))
    story += [
        Paragraph(f"<b>{_('Subject')}</b>: {_escape(opportunity.subject)}", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    rows = [[_("Description"), _("Quantity"), _("Unit price"), _("Discount %"), _("Total")]]
    for line in lines:
        rows.append(
            [
                Paragraph(_escape(line.description), styles["BodyText"]),
                number_format(line.quantity, 2),
                _money(line.unit_price, quote.currency),
                number_format(line.discount, 2),
                _money(line.total, quote.currency),
            ]
        )
    totals = quote.totals(lines)
    rows += [
        ["", "", "", _("Subtotal"), _money(totals["subtotal"], quote.currency)],
        [
            "",
            "",
            "",
            f"{_('Tax')} {number_format(quote.tax_rate, 2)}%",
            _money(totals["tax"], quote.currency),
        ],
        ["", "", "", _("Total"), _money(totals["total"], quote.currency)],
    ]
    table = Table(rows, colWidths=[78 * mm, 20 * mm, 28 * mm, 20 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0d6efd")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -4), 0.25, colors.grey),
                ("FONTNAME", (3, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    story.append(table)
    if quote.notes:
        story += [Spacer(1, 6 * mm), Paragraph(_escape(quote.notes).replace("\n", "<br/>"), styles["Normal"])]
    document.build(story)
    return buffer.getvalue()


def _escape(value) -> str:
    from django.utils.html import escape

    return str(escape(str(value)))
