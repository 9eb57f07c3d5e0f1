"""A quote as an A4 PDF (reportlab: pure Python, no system libraries), from the same
:class:`opportunities.quote_document.QuoteDocument` as its page."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from opportunities.quote_document import QuoteDocument


def _text(value) -> str:
    return str(escape(str(value))).replace("\n", "<br/>")


def _logo(doc: QuoteDocument):
    """The team's logo, at most 50 x 18 mm, or None when it cannot be read."""
    try:
        with doc.logo.logo.open("rb") as handle:
            data = io.BytesIO(handle.read())
        image = Image(data)
    except Exception:  # a missing or unreadable file leaves the quote without its logo
        return None
    ratio = min(50 * mm / image.imageWidth, 18 * mm / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    image.hAlign = "LEFT"
    return image


def quote_pdf(doc: QuoteDocument) -> bytes:
    with translation.override(doc.language):
        return _build(doc)


def _build(doc: QuoteDocument) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=doc.title, author=doc.issuer.name or doc.prepared_by,
    )  # fmt: skip
    styles = getSampleStyleSheet()
    normal, small = styles["Normal"], styles["BodyText"]
    issuer = []
    if doc.logo is not None and (image := _logo(doc)) is not None:
        issuer.append(image)
    if doc.issuer.name:
        issuer.append(Paragraph(f"<b>{_text(doc.issuer.name)}</b>", normal))
    issuer += [Paragraph(_text(line), normal) for line in doc.issuer.lines]
    dates = f"{_('Date')}: {doc.issued_on}" + (
        f"<br/>{_('Valid until')}: {doc.valid_until}" if doc.valid_until else ""
    )
    heading = [Paragraph(_text(doc.title), styles["Title"]), Paragraph(dates, normal)]
    header = Table([[issuer or "", heading]], colWidths=[92 * mm, 77 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    story = [header, Spacer(1, 6 * mm), Paragraph(f"<b>{_('For')}</b>: {_text(doc.client.name)}", normal)]
    story += [Paragraph(_text(line), normal) for line in doc.client.lines]
    if doc.contact:
        story.append(Paragraph(f"<b>{_('Contact')}</b>: {_text(doc.contact)}", normal))
    story += [Paragraph(f"<b>{_('Subject')}</b>: {_text(doc.subject)}", normal), Spacer(1, 6 * mm)]
    rows = [[_("Description"), _("Quantity"), _("Unit price"), _("Discount %"), _("Total")]]
    for description, quantity, price, discount, total in doc.rows:
        rows.append([Paragraph(_text(description), small), quantity, price, discount, total])
    rows += [
        ["", "", "", _("Subtotal"), doc.subtotal],
        ["", "", "", doc.tax_label, doc.tax],
        ["", "", "", _("Total"), doc.total],
    ]
    table = Table(rows, colWidths=[60 * mm, 20 * mm, 32 * mm, 24 * mm, 33 * mm], repeatRows=1)
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
    if doc.notes:
        story += [Spacer(1, 6 * mm), Paragraph(_text(doc.notes), normal)]
    if doc.terms:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(f"<b>{_('Terms')}</b>", normal),
            Paragraph(_text(doc.terms), small),
        ]
    story += [Spacer(1, 4 * mm), Paragraph(_text(doc.prepared_by), small)]
    document.build(story)
    return buffer.getvalue()
