"""The left navigation: the manuals' modules, each shown to the roles that use it.

A module appears once its app defines the URL named here, so later features
show up in the menu by adding their URL, without touching this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ALL = ("admin", "manager", "agent")
MANAGERS = ("admin", "manager")
ADMINS = ("admin",)


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url_name: str
    icon: str
    roles: tuple[str, ...] = ALL
    flag: str = ""  # a User attribute that must be true (can_import...)
    setting: str = ""  # a setting that must be true (EMAIL_OUTBOX...)

    @property
    def url(self) -> str:
        return _reverse(self.url_name)


ITEMS: tuple[Item, ...] = (
    Item(_("Home"), "crm:home", "house"),
    Item(_("Dashboard"), "reports:dashboard", "speedometer2"),
    Item(_("Goals"), "goals:list", "bullseye"),
    Item(_("Campaigns"), "campaigns:list", "megaphone"),
    Item(_("Opportunities"), "opportunities:boards", "kanban"),
    Item(_("People"), "people:list", "people"),
    Item(_("Discarded"), "people:discarded", "trash", ADMINS),
    Item(_("Companies"), "companies:list", "building"),
    Item(_("Calendar"), "activities:calendar", "calendar3"),
    Item(_("Reminders"), "activities:reminders", "alarm"),
    Item(_("Activities"), "activities:activities", "list-check"),
    Item(_("Service orders"), "serviceorders:list", "tools"),
    Item(_("Tags"), "people:tags", "tags"),
    Item(_("Quotes"), "quotes:list", "file-earmark-text"),
    Item(_("Product catalog"), "catalog:list", "box-seam"),
    Item(_("Lists"), "people:lists", "list-ul"),
    Item(_("Lead forms"), "campaigns:leadforms", "ui-checks", ADMINS),
    Item(_("Catalogs"), "activities:catalogs", "journal-bookmark", ADMINS),
    Item(_("Custom fields"), "crm:custom_fields", "input-cursor-text", ADMINS),
    Item(_("Exchange rates"), "crm:exchange_rates", "currency-exchange", ADMINS),
    Item(_("Team settings"), "crm:team_settings", "building-gear", ADMINS),
    Item(_("Webhooks"), "api:webhooks", "broadcast", ADMINS),
    Item(_("Automations"), "automations:list", "lightning-charge", ADMINS),
    Item(_("Personal data"), "crm:privacy", "shield-lock", ADMINS),
    Item(_("Imports"), "people:imports", "upload", flag="can_import"),
    Item(_("Email templates"), "activities:email_templates", "envelope-paper", ALL),
    Item(_("Inbox"), "activities:inbox", "inbox", ALL),
    Item(_("Campaign emails"), "campaigns:mailings", "envelope-at", ALL),
    Item(_("Outbox"), "activities:outbox", "send", ALL, setting="EMAIL_OUTBOX"),
    Item(_("Reports"), "reports:index", "bar-chart", ALL),
    Item(_("Administration"), "crm:users", "person-gear", ADMINS),
)


@cache
def _reverse(url_name: str) -> str:
    return reverse(url_name)


@cache
def _exists(url_name: str) -> bool:
    try:
        _reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def visible_items(user) -> list[Item]:
    if not (user.is_authenticated and user.is_active):
        return []
    return [
        item
        for item in ITEMS
        if user.role in item.roles
        and (not item.flag or getattr(user, item.flag))
        and (not item.setting or getattr(settings, item.setting))
        and _exists(item.url_name)
    ]
