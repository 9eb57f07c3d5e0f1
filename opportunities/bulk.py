"""The Opportunities list's bulk actions (crm.bulk): give to, tags, archive."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext

from crm import access, bulk
from opportunities import services
from opportunities.models import Opportunity


def _archive(*, user, pks, value):
    changed = services.opportunities_set_archived(ids=pks, archived=True, by=user)
    return len(changed), {"pks": changed}


def _archive_undo(*, user, data, kind):
    still = Opportunity.objects.filter(pk__in=data["pks"], archived=True).values_list("pk", flat=True)
    return len(services.opportunities_set_archived(ids=still, archived=False, by=user))


OPPORTUNITIES = bulk.register(
    bulk.ListKind(
        "opportunities",
        gettext_lazy("opportunities"),
        "opportunities.Opportunity",
        access.opportunities,
        "opportunities.filters.OpportunityFilter",
        "opportunities:list",
        actions=[
            bulk.reassign_action(services.opportunities_reassign),
            *bulk.tag_actions(tag=services.opportunities_tag, untag=services.opportunities_untag),
            bulk.Action("archive", gettext_lazy("Archive"), _archive, _archive_undo),
        ],
        counted=lambda n: ngettext("%(count)s opportunity", "%(count)s opportunities", n) % {"count": n},
    )
)
