"""Opportunities and an opportunity's history as spreadsheets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm import access
from crm.custom_fields import export_columns
from crm.exports import Column, ExportSource, register
from opportunities.filters import OpportunityFilter
from opportunities.models import Opportunity, OpportunityEvent


def _columns() -> list[Column]:
    return [
        Column(_("Subject"), "subject"),
        Column(_("Board"), "pipeline__name"),
        Column(_("Stage"), "stage__name"),
        Column(_("Status"), "status", dict(Opportunity.Status.choices)),
        Column(_("Company"), "company__name"),
        Column(_("Contact"), "contact__first_name"),
        Column(_("Last name"), "contact__last_name"),
        Column(_("Agent"), "agent__name"),
        Column(_("Amount"), "amount", currency="currency"),
        Column(_("Currency"), "currency"),
        Column(_("Expected close"), "expected_close_on"),
        Column(_("Invoice number"), "invoice_number"),
        Column(_("Why lost"), "lost_reason"),
        Column(_("Created"), "created_at"),
        *export_columns("opportunities"),
    ]


def _history_columns() -> list[Column]:
    return [
        Column(_("When"), "at"),
        Column(_("Who"), "by__name"),
        Column(_("Kind"), "kind", dict(OpportunityEvent.Kind.choices)),
        Column(_("Before"), "old_value"),
        Column(_("After"), "new_value"),
        Column(_("Comment"), "comment"),
    ]


def _opportunities(user, params):
    return OpportunityFilter(params, queryset=access.opportunities(user), user=user).qs


def _history(user, params):
    opportunity = access.opportunities(user).filter(pk=params.get("opportunity") or 0).first()
    if opportunity is None:
        return OpportunityEvent.objects.none()
    return opportunity.events.order_by("-at", "-id")


register(
    ExportSource(
        "opportunities", _("Opportunities"), "opportunities.export_opportunity", _columns, _opportunities
    )
)
register(
    ExportSource(
        "opportunity_history",
        _("Opportunity history"),
        "opportunities.export_opportunity",
        _history_columns,
        _history,
    )
)
