"""No lost updates: a change carries the version of the record it was made on.

The services that change a record lock its row and compare the version they are
given (:func:`check_version`; pages and the API pass the version they read): a
record saved meanwhile raises :class:`Stale`, carrying the record as it is now.

A model form with `VersionedFormMixin` gets a hidden `version` field (the record's
`updated_at` when the form was drawn) and hands it to the service (``form.version``).
On :class:`Stale` the view calls ``form.show_conflict(current)``: the form is refused
with ``form.conflict`` listing both versions of every field that differs, and its version
is moved to the newer one, so that saving again (after merging by hand) is a deliberate
choice. Views carry no transaction blocks: the service's is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Func
from django.utils.translation import gettext_lazy as _


def version_of(instance) -> str:
    return instance.updated_at.isoformat() if instance.updated_at else ""


class _Version(Func):
    # Python's isoformat() of the UTC moment Django reads: microseconds only when there are some.
    template = (
        "CASE WHEN %(expressions)s IS NULL THEN '' ELSE "
        "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE WHEN date_trunc('second', %(expressions)s) = %(expressions)s THEN '' "
        "ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END || '+00:00' END"
    )
    output_field = CharField()


def version_sql(field: str = "updated_at") -> Func:
    """:func:`version_of` written by PostgreSQL, for a feed that reads thousands of records as
    values (each timestamp read into Python and written back out cost more than its query)."""
    return _Version(F(field))


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


class Stale(ValidationError):
    """The record changed after the version a change was made on; ``current`` is the
    record as it is now (locked)."""

    def __init__(self, current, message=None):
        super().__init__(
            message
            or _("Someone else changed this card after you loaded the page. Reload to see it as it is now."),
            code="stale",
        )
        self.current = current


class VersionedFormMixin:
    """Carry the record's version to the service, and show a conflict it finds
    (see the module's docstring)."""

    conflict: list[Difference] | None = None
    version: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=version_of(self.instance)
            )

    def clean(self):
        cleaned = super().clean()
        # Every form the CRM draws carries its version; a post without one (a script) is not checked.
        self.version = cleaned.pop("version", None) or None  # not a field of the record
        return cleaned

    def saved_by(self, save):
        """Run ``save`` (the service call): what it returns, or None with its refusal on
        the form (a :class:`Stale` shows both versions, another refusal its message)."""
        try:
            return save()
        except Stale as stale:
            self.show_conflict(stale.current)
        except ValidationError as error:
            self.add_error(None, error)
        return None

    def show_conflict(self, current) -> None:
        """The service found ``current`` newer than the form's version: both versions of
        every field that differs, the form's version moved to ``current``'s."""
        cleaned = self.cleaned_data
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
        self.add_error(
            None,
            ValidationError(
                _(
                    "Someone else saved this record after you opened it. Compare both versions below, "
                    "adjust the form, and save again to keep what it shows."
                ),
                code="stale",
            ),
        )


def check_version(locked, expected: str | None) -> None:
    """In a service: ``locked`` is the row it read with select_for_update, ``expected``
    the version the page or API call was made on (None: not checked)."""
    if expected and expected != version_of(locked):
        raise Stale(locked)
