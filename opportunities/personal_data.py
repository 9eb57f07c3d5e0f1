"""What the CRM holds about a person as a card's contact: the cards, their history and their
quotes (crm.personal_data). The cards stay, with their amounts, for the reports; what names the
person in their texts is replaced."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.personal_data import Holder, Identifiers, redact_history, register, row, scrub
from opportunities.models import Opportunity, OpportunityEvent, OpportunityLine, Quote, QuoteLine


def collect(person) -> list[dict]:
    rows = []
    cards = Opportunity.objects.filter(contact=person).select_related("pipeline", "stage", "agent", "company")
    for card in cards.order_by("created_at", "id"):
        data = row(
            card, "subject", "company", "pipeline", "stage", "status", "amount", "currency", "expected_close_on",
            "agent", "observations", "created_at", "decided_at",
        )  # fmt: skip
        data[str(_("quotes"))] = [
            row(q, "number", "issued_on", "status", "notes") for q in card.quotes.order_by("pk")
        ]
        data[str(_("history"))] = [
            row(e, "kind", "old_value", "new_value", "comment", "at")
            for e in card.events.order_by("at", "id")
        ]
        rows.append(data)
    return rows


def erase(person, ids: Identifiers) -> dict[str, int]:
    cards = Opportunity.objects.filter(contact=person)
    pks = list(cards.values_list("pk", flat=True))
    return {
        "cards": scrub(cards, ["subject", "observations", "lost_reason", "improvement"], ids),
        "card_history": redact_history(Opportunity, pks, ids=ids),
        "card_events": scrub(
            OpportunityEvent.objects.filter(opportunity__in=pks), ["old_value", "new_value", "comment"], ids
        ),
        "quotes": scrub(Quote.objects.filter(opportunity__in=pks), ["notes", "terms"], ids),
        # A line without a product takes the card's subject as its description.
        "card_lines": scrub(OpportunityLine.objects.filter(opportunity__in=pks), ["description"], ids),
        "quote_lines": scrub(QuoteLine.objects.filter(quote__opportunity__in=pks), ["description"], ids),
    }


register(Holder("opportunities", _("Opportunities and quotes"), collect, erase, order=40))
