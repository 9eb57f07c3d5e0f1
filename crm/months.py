"""Month names as the CRM's languages write them inside a date: lower case ("março de
2026", "marzo de 2026"). Django's Portuguese catalog capitalises them; the CRM's own catalog,
read first, carries these (and keeps them from being dropped by makemessages)."""

from django.utils.translation import gettext_noop

MONTHS = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
