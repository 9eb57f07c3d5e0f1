"""State changes of the core: users and their preferences."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.models import ExchangeRate, User, new_calendar_token


@transaction.atomic
def user_create(
    *,
    username: str,
    name: str,
    email: str = "",
    role: str = User.Role.AGENT,
    language: str = "",
    password: str,
) -> User:
    user = User(username=username, name=name, email=email, role=role)
    if language:
        user.language = language
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def _other_active_admins(user: User):
    return User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(pk=user.pk)


@transaction.atomic
def user_update(*, user: User, by: User, name: str, email: str, role: str, language: str) -> User:
    # Lock the admins so two concurrent demotions cannot leave nobody in charge.
    list(User.objects.select_for_update().filter(role=User.Role.ADMIN))
    if user.role == User.Role.ADMIN and role != User.Role.ADMIN and not _other_active_admins(user).exists():
        raise ValidationError({"role": _("The last active administrator cannot lose that role.")})
    user.name, user.email, user.role, user.language = name, email, role, language
    user.full_clean()
    user.save(update_fields=["name", "email", "role", "language"])
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
    return saved


@transaction.atomic
def exchange_rate_delete(*, rate: ExchangeRate, by: User) -> None:
    rate.delete()
