"""No lost updates: an edit form carries the version it was loaded from.

A model form with `VersionedFormMixin` gets a hidden `version` field (the record's
`updated_at` when the form was drawn). Validating it inside `transaction.atomic()` locks
the row and compares: if someone saved the record meanwhile, the form is refused with
`form.conflict` listing both versions of every field that differs, and its version is moved
to the newer one, so that saving again (after merging by hand) is a deliberate choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _


def version_of(instance) -> str:
    return instance.updated_at.isoformat() if instance.updated_at else ""


@dataclass
class Difference:
    label: str
    theirs: str
    yours: str


def _shown(form, name, value) -> str:
    field = form.fields[name]
    if value in (None, ""):
        return "—"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(sorted(str(item) for item in value)) or "—"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


def _current_value(current, name):
    value = getattr(current, name, None)
    if hasattr(value, "all"):  # a many-to-many manager
        return list(value.all())
    return value


class VersionedFormMixin:
    """Refuse to save over a newer version of the record (see the module's docstring)."""

    conflict: list[Difference] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=version_of(self.instance)
            )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields and not self.errors:
            self._check_version(cleaned)
        cleaned.pop("version", None)  # checked; not a field of the record
        return cleaned

    def _check_version(self, cleaned) -> None:
        queryset = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if connection.in_atomic_block:
            queryset = queryset.select_for_update(of=("self",))
        current = queryset.first()
        posted = cleaned.get("version")
        # Every form the CRM draws carries its version; a post without one (a script) is not checked.
        if current is None or not posted or posted == version_of(current):
            return
        differences = []
        for name in self.fields:
            if name == "version" or name not in cleaned or not hasattr(current, name):
                continue
            theirs = _shown(self, name, _current_value(current, name))
            yours = _shown(self, name, cleaned[name])
            if theirs != yours:
                differences.append(Difference(str(self.fields[name].label or name), theirs, yours))
        self.conflict = differences
        data = self.data.copy()
        data[self.add_prefix("version")] = version_of(current)
        self.data = data
        raise ValidationError(
            _(
                "Someone else saved this record after you opened it. Compare both versions below, "
                "adjust the form, and save again to keep what it shows."
            ),
            code="stale",
        )


def check_version(locked, expected: str | None) -> None:
    """For actions outside edit forms (kanban moves, status changes): `locked` is the row read
    with select_for_update; `expected` the version the page showed (None: not checked)."""
    if expected and expected != version_of(locked):
        raise ValidationError(
            _("Someone else changed this card after you loaded the page. Reload to see it as it is now."),
            code="stale",
        )
