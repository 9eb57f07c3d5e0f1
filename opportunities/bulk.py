"""The Opportunities list's bulk actions (crm.bulk): give to, tags, archive."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from crm import access, bulk
from opportunities import services
from opportunities.models import Opportunity
from people.models import Tag


def _tag(data):
    return Tag.objects.get(pk=data["tag"])


def _add_tag(*, user, pks, value):
    fresh = services.opportunities_tag(ids=pks, tag=value, by=user)
    return len(fresh), {"tag": value.pk, "pks": fresh}


def _add_tag_undo(*, user, data, kind):
    return len(services.opportunities_untag(ids=data["pks"], tag=_tag(data), by=user))


def _remove_tag(*, user, pks, value):
    removed = services.opportunities_untag(ids=pks, tag=value, by=user)
    return len(removed), {"tag": value.pk, "pks": removed}


def _remove_tag_undo(*, user, data, kind):
    return len(services.opportunities_tag(ids=data["pks"], tag=_tag(data), by=user))


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
            bulk.Action("add_tag", gettext_lazy("Add tag"), _add_tag, _add_tag_undo, "tag"),
            bulk.Action("remove_tag", gettext_lazy("Remove tag"), _remove_tag, _remove_tag_undo, "tag"),
            bulk.Action("archive", gettext_lazy("Archive"), _archive, _archive_undo),
        ],
    )
)
