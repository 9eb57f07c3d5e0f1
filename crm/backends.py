"""Authentication with Django's model backend, and import and export
permissions from the user's own flags.

django-import-export's admin asks for ``<app>.import_<model>`` and
``<app>.export_<model>`` (IMPORT_EXPORT_*_PERMISSION_CODE); so do our pages.
They follow ``User.can_import`` / ``User.can_export``, read with the user,
so checking them costs no query.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

APPS = {"crm", "activities", "people", "companies", "campaigns", "opportunities", "serviceorders", "reports"}


class CrmBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        app_label, _dot, codename = perm.partition(".")
        action = codename.split("_", 1)[0]
        if app_label in APPS and action in ("import", "export"):
            return bool(user_obj.is_active and getattr(user_obj, f"can_{action}", False))
        return super().has_perm(user_obj, perm, obj)
