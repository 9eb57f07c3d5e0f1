"""People in the merge of duplicates (crm.merge)."""

from __future__ import annotations

from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy

from crm import access, merge
from people.services import EDITABLE_FIELDS, person_merged

PEOPLE = merge.register(
    merge.Kind(
        slug="people",
        label=gettext_lazy("People"),
        model_path="people.Person",
        fields=(*EDITABLE_FIELDS, "stage"),
        scope=access.people,
        activity_field="person",
        keep=("people.PersonEvent", "people.PersonHistory"),
        # A number is one number, whether typed as the phone of one and the mobile of another.
        keys={"email": Upper("email"), "phone": ("phone", "mobile")},
        list_url="people:list",
        autocomplete="people:autocomplete",
        after=person_merged,
    )
)
