"""State changes of the core: users and their preferences."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.currency import Rates
from crm.models import ExchangeRate, TeamSettings, User, new_calendar_token
from crm.validation import full_clean


@transaction.atomic
def user_create(
    *,
    username: str,
    name: str,
    email: str = "",
    role: str = User.Role.AGENT,
    language: str = "",
    country: str = "",
    password: str,
) -> User:
    user = User(username=username, name=name, email=email, role=role, country=country)
    if language:
        user.language = language
    user.set_password(password)
    full_clean(user)
    user.save()
    return user


def _other_active_admins(user: User):
    return User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(pk=user.pk)


@transaction.atomic
def user_update(
    *, user: User, by: User, name: str, email: str, role: str, language: str, country: str = ""
) -> User:
    # Lock the admins so two concurrent demotions cannot leave nobody in charge.
    list(User.objects.select_for_update().filter(role=User.Role.ADMIN))
    if user.role == User.Role.ADMIN and role != User.Role.ADMIN and not _other_active_admins(user).exists():
        raise ValidationError({"role": _("The last active administrator cannot lose that role.")})
    user.name, user.email, user.role, user.language, user.country = name, email, role, language, country
    full_clean(user)
    user.save(update_fields=["name", "email", "role", "language", "country"])
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Signed-in sessions of the user end at their next request: Django's
    # authentication refuses inactive users.
    return user


@transaction.atomic
def user_activate(*, user: User, by: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def user_set_password(*, user: User, password: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def calendar_token(*, user: User, regenerate: bool = False) -> str:
    """The secret of the user's calendar feed URL, made on first use."""
    if regenerate or not user.calendar_token:
        user.calendar_token = new_calendar_token()
        user.save(update_fields=["calendar_token"])
    return user.calendar_token


def user_data_permissions(user: User) -> tuple[bool, bool]:
    """(may import, may export) as the user administration shows them."""
    return user.can_import, user.can_export


def user_set_data_permissions(*, user: User, can_import: bool, can_export: bool) -> User:
    """Importing and exporting are permissions of their own, granted per user."""
    user.can_import, user.can_export = can_import, can_export
    user.save(update_fields=["can_import", "can_export"])
    return user


def user_set_whatsapp_template(*, user: User, template: str) -> User:
    """The user's own WhatsApp message template."""
    user.whatsapp_template = template.strip()
    user.save(update_fields=["whatsapp_template"])
    return user


# Exchange rates ---------------------------------------------------------------------


@transaction.atomic
def exchange_rate_save(*, by: User, currency: str, on, rate) -> ExchangeRate:
    """The rate of ``currency`` from ``on`` (one per currency and day: a second replaces it)."""
    saved, _created = ExchangeRate.objects.update_or_create(
        currency=currency, on=on, defaults={"rate": rate, "created_by": by}
    )
    Rates.forget()
    return saved


@transaction.atomic
def exchange_rate_delete(*, rate: ExchangeRate, by: User) -> None:
    rate.delete()
    Rates.forget()


TEAM_FIELDS = (
    "legal_name", "tax_id", "address", "country", "base_currency", "tax_name", "tax_rate",
    "quote_terms", "quote_validity_days", "time_zone", "week_start", "erase_discarded_after",
    "flag_inactive_after", "export_alert_rows",
)  # fmt: skip


@transaction.atomic
def team_settings_save(*, by: User, logo=None, **fields) -> TeamSettings:
    """Change the team's settings (history keeps every version; the next request of every
    process reads them). ``logo``: a new image, ``False`` to remove it, ``None`` to keep it."""
    from crm.team import first_run_defaults

    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"Not team settings: {', '.join(sorted(unknown))}")
    team, _created = TeamSettings.objects.select_for_update().get_or_create(
        pk=1, defaults=first_run_defaults()
    )
    old_logo = team.logo.name if team.logo else ""
    for name, value in fields.items():
        setattr(team, name, value)
    if logo is False:
        team.logo = None
    elif logo is not None:
        team.logo = logo
    full_clean(team)
    team.save()
    new_logo = team.logo.name if team.logo else ""
    if old_logo and old_logo != new_logo:
        storage = team.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return team
