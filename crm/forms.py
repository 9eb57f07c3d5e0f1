from __future__ import annotations

import functools

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from crm import access, bounds, bulk, merge
from crm.countries import format_phone
from crm.currency import CURRENCIES, base_currency
from crm.models import CustomField, TeamSettings, User
from crm.services import TEAM_FIELDS
from crm.taxids import normalize_tax_id
from crm.widgets import Autocomplete


class UserFieldsMixin(forms.Form):
    """What the user forms share: the import and export permissions, the name tidied."""

    can_import = forms.BooleanField(label=_("May import"), required=False, initial=True)
    can_export = forms.BooleanField(label=_("May export"), required=False, initial=True)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class UserCreateForm(UserFieldsMixin, forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "name", "email", "role", "language", "country"]

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("The two passwords do not match."))
        return password2

    def _post_clean(self) -> None:
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class UserEditForm(UserFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "email", "role", "language", "country"]


class UserPasswordForm(SetPasswordForm):
    """An administrator sets a new password for a user."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("language").choices)
    next = forms.CharField(required=False, max_length=2000)


class OwnerFieldMixin:
    """For a ModelForm with an ``owner`` field: managers and admins pick any
    active user, agents get no choice (they own what they create)."""

    def _setup_owner(self, user: User) -> None:
        self.user = user
        if not access.sees_everything(user):
            del self.fields["owner"]
            return
        field = self.fields["owner"]
        field.queryset = access.assignable_users(user)
        field.initial = user.pk
        field.required = False

    def _kept_owner(self) -> User:
        """A new record is its creator's; a saved one keeps its owner unless
        the form (a manager's) names another: a save never takes a record."""
        if self.instance.pk and self.instance.owner_id:
            return self.instance.owner
        return self.user

    def clean_owner(self) -> User:
        return self.cleaned_data.get("owner") or self._kept_owner()

    def owned_fields(self) -> dict:
        """The cleaned values with the owner always set."""
        data = dict(self.cleaned_data)
        data.setdefault("owner", self._kept_owner())
        return data


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


def current_values(form) -> dict:
    """What a browser would post back for a drawn form: its current values,
    hidden ones included (the API starts a partial update from these)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"))
    user = forms.ModelChoiceField(label=gettext_lazy("User"), queryset=None, required=False)
    tag = forms.ModelChoiceField(label=gettext_lazy("Tag"), queryset=None, required=False)
    campaign = forms.ModelChoiceField(label=gettext_lazy("Campaign"), queryset=None, required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    ids = forms.MultipleChoiceField(required=False)
    all = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=4000)

    def __init__(self, *args, kind: bulk.ListKind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["action"].choices = [(a.slug, a.label) for a in kind.actions]
        self.fields["user"].queryset = access.assignable_users(user).order_by("name", "username")
        self.fields["tag"].queryset = access.tags(user).order_by("name")
        # Only campaigns the user changes (an agent who works members in one may not add to it).
        self.fields["campaign"].queryset = access.changeable(user, access.campaigns(user)).order_by(
            "-starts_on", "-id"
        )
        self.fields["stage"].choices = kind.stage_choices
        for name in ("user", "tag", "campaign", "stage"):
            if name not in kind.needs:
                del self.fields[name]
        # Any ids: the scope decides which are really changed.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

    # What the bar shows of each choice (its label), and how many campaigns at most.
    SHOWN = {"user": ("name", "username"), "tag": ("name",), "campaign": ("name",)}
    MAX_OPTIONS = 200

    def options(self) -> dict[str, str]:
        """The <option>s of the bar's choices, reading only the columns their labels need
        (joined here: two hundred campaigns through the template language cost ~3 ms)."""
        return {
            name: format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((o.pk, str(o)) for o in self.fields[name].queryset.only(*shown)[: self.MAX_OPTIONS]),
            )
            for name, shown in self.SHOWN.items()
            if name in self.fields
        }

    def chosen_action(self) -> bulk.Action:
        return self.kind.action(self.cleaned_data["action"])

    def clean(self):
        cleaned = super().clean()
        action = self.kind.action(cleaned.get("action") or "")
        if action is not None and action.needs and not cleaned.get(action.needs):
            self.add_error(action.needs, _("Choose one for “%(action)s”.") % {"action": action.label})
        if not cleaned.get("all") and not cleaned.get("ids"):
            raise ValidationError(_("Select at least one row."))
        return cleaned


class CustomFieldForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = CustomField
        fields = ["model", "name", "key", "type", "choices", "required", "help_text", "position", "active"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Stored values are keyed by it, and they belong to these records.
            self.fields["key"].disabled = True
            self.fields["model"].disabled = True

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class MergeForm(forms.Form):
    survivor = forms.ChoiceField(label=gettext_lazy("Keep"), widget=forms.RadioSelect)

    def __init__(self, *args, spec: merge.Kind, a, b, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.records = spec, {"a": a, "b": b}
        self.fields["survivor"].choices = [("a", f"{a} (#{a.pk})"), ("b", f"{b} (#{b.pk})")]
        self.fields["survivor"].initial = "a"
        self.rows = []
        for name in spec.fields:
            shown = {side: _display(record, name) for side, record in self.records.items()}
            label = spec.model._meta.get_field(name).verbose_name
            if getattr(a, name) == getattr(b, name):
                self.rows.append((label, shown["a"], None))
                continue
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[(side, shown[side] or "—") for side in ("a", "b")],
                initial="a" if shown["a"] or not shown["b"] else "b",
                required=False,
                widget=forms.RadioSelect,
            )
            self.rows.append((label, None, self[name]))

    def survivor_and_duplicate(self):
        side = self.cleaned_data["survivor"]
        return self.records[side], self.records["b" if side == "a" else "a"]

    def values(self) -> dict:
        """Field -> the winning value: the side chosen, or else the survivor's
        unless it is blank."""
        survivor, duplicate = self.survivor_and_duplicate()
        values = {}
        for name in self.spec.fields:
            if name not in self.fields:
                continue
            side = self.cleaned_data.get(name)
            if side:
                values[name] = getattr(self.records[side], name)
            else:
                kept = getattr(survivor, name)
                values[name] = kept if kept not in ("", None) else getattr(duplicate, name)
        return values


class PickForm(forms.Form):
    b = forms.IntegerField(label=gettext_lazy("Merge with"))

    def __init__(self, *args, spec: merge.Kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["b"].widget = Autocomplete(spec.autocomplete, placeholder=_("Type a name"))


class RateForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    on = bounds.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    rate = forms.DecimalField(label=gettext_lazy("Rate"), max_digits=18, decimal_places=6, min_value=0.000001)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = base_currency()
        self.fields["currency"].choices = [(code, label) for code, label in CURRENCIES if code != base]
        self.fields["on"].initial = timezone.localdate()
        self.fields["rate"].help_text = _("How many %(base)s one unit of the currency is worth.") % {
            "base": base
        }


def _display(record, name: str) -> str:
    field = record._meta.get_field(name)
    if field.choices:
        return str(getattr(record, f"get_{name}_display")())
    value = getattr(record, name)
    if name in ("phone", "mobile"):
        return format_phone(value)
    return "" if value is None else str(value)


LOGO_MAX_BYTES = 2 * 1024 * 1024


@functools.cache
def _time_zones() -> list[tuple[str, str]]:
    """The zones a team may pick (the tz database is read once per process)."""
    import zoneinfo

    zones = sorted(
        zone
        for zone in zoneinfo.available_timezones()
        if zone.startswith(("America/", "Europe/Madrid", "Europe/Lisbon", "Atlantic/Canary")) or zone == "UTC"
    )
    return [(zone, zone.replace("_", " ")) for zone in zones]


class TeamSettingsForm(forms.ModelForm):
    """The Team settings page (administrators)."""

    class Meta:
        model = TeamSettings
        fields = [*TEAM_FIELDS, "logo"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "quote_terms": forms.Textarea(attrs={"rows": 4}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }
        help_texts = {
            "logo": gettext_lazy("PNG or JPEG, up to 2 MB: printed on quotes."),
            "country": gettext_lazy(
                "Phones without a country code are read in it, and money and dates are written as "
                "its people write them, for users without a country of their own."
            ),
            "base_currency": gettext_lazy(
                "Boards, the dashboard and the reports total in it; exchange rates are in units of it."
            ),
            "tax_name": gettext_lazy("IGV, IVA, ISS...: new quotes add it."),
            "quote_terms": gettext_lazy("Printed at the foot of every quote."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=self.fields["time_zone"].label, choices=_time_zones(), initial=self.instance.time_zone
        )

    def clean_legal_name(self) -> str:
        return " ".join(self.cleaned_data["legal_name"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("tax_id") and cleaned.get("country"):
            try:
                cleaned["tax_id"] = normalize_tax_id(cleaned["tax_id"], cleaned["country"])
            except ValidationError as error:
                self.add_error("tax_id", error)
        return cleaned

    def clean_logo(self):
        """A new image (Django's ImageField has read it with Pillow: ``logo.image``), ``False``
        to remove the logo, or ``None`` to keep the stored one (the service's meaning too)."""
        logo = self.cleaned_data.get("logo")
        if logo is False or not getattr(logo, "image", None):
            return logo if logo is False else None
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(_("The logo is larger than 2 MB."))
        if logo.image.format not in ("PNG", "JPEG"):
            raise ValidationError(_("Upload a PNG or JPEG image."))
        return logo
