"""The People list's bulk actions (crm.bulk): give to, tags, stage, discard —
each through the set-based services, undone through them too."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from crm import access, bulk
from people import services
from people.models import Person


def _set_stage(*, user, pks, value):
    previous = services.people_set_stage(ids=pks, stage=value, by=user)
    return len(previous), {"old": {str(pk): old for pk, old in previous.items()}, "new": value}


def _set_stage_undo(*, user, data, kind):
    groups = bulk.still_by_previous(Person, "stage", data)
    return sum(len(services.people_set_stage(ids=pks, stage=old, by=user)) for old, pks in groups.items())


def _discard(*, user, pks, value):
    fresh = services.people_discard(ids=pks, by=user, reason=_("Discarded in bulk"))
    return len(fresh), {"pks": fresh}


def _discard_undo(*, user, data, kind):
    # Only those this operation's user discarded, still discarded.
    still = Person.objects.filter(pk__in=data["pks"], discarded_by=user).exclude(discarded_at=None)
    return len(services.people_restore(ids=still.values_list("pk", flat=True), by=user))


PEOPLE = bulk.register(
    bulk.ListKind(
        "people",
        gettext_lazy("people"),
        "people.Person",
        access.people,
        "people.filters.PersonFilter",
        "people:list",
        actions=[
            bulk.reassign_action(services.people_reassign),
            *bulk.tag_actions(tag=services.people_tag, untag=services.people_untag),
            bulk.Action("set_stage", gettext_lazy("Change stage"), _set_stage, _set_stage_undo, "stage"),
            bulk.Action("discard", gettext_lazy("Discard"), _discard, _discard_undo),
        ],
        stage_choices=tuple(Person.Stage.choices),
        counted=lambda n: ngettext("%(count)s person", "%(count)s people", n) % {"count": n},
    )
)
