"""Demo data for a first look at the CRM.

Creates the demo users, then runs the ``seed(context)`` function of every
installed app that has a ``demo`` module, in INSTALLED_APPS order (the order
of the apps' dependencies). ``context`` carries the users, a seeded random
generator and what earlier apps created.
"""

from __future__ import annotations

import importlib
import importlib.util
import random

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from crm.models import User

DEMO_PASSWORD = "demo-crm-2026"
DEMO_DAYS = 180
# Where `make run` serves unless given HOST and PORT (it passes them as --address).
DEFAULT_ADDRESS = "127.0.0.1:8000"

# (username, name, role, language, country: empty for the team's)
DEMO_USERS = [
    ("admin", "Valeria Quispe", User.Role.ADMIN, "es", ""),
    ("gerente", "Rodrigo Salazar", User.Role.MANAGER, "es", ""),
    ("ana", "Ana Paredes", User.Role.AGENT, "es", ""),
    # A Brazilian agent in the Peruvian team: Portuguese, reais and Brazilian phones.
    ("joao", "João Ferreira", User.Role.AGENT, "pt-br", "BR"),
    ("lucia", "Lucía Martínez", User.Role.AGENT, "es", ""),
]


class Command(BaseCommand):
    help = "Create demo users and data. With --if-empty, only when the database has no users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any user exists (first run only)."
        )
        parser.add_argument(
            "--address",
            default=DEFAULT_ADDRESS,
            help="Where the server will answer (make run passes its HOST:PORT), for the sign-in line.",
        )

    @transaction.atomic
    def handle(self, *args, if_empty: bool = False, address: str = DEFAULT_ADDRESS, **options):
        if if_empty and User.objects.exists():
            return
        users = self._users()
        context = {
            "users": users,
            "admin": users[0],
            "manager": users[1],
            "agents": [u for u in users if u.role == User.Role.AGENT],
            "rng": random.Random(2026),
            # How far back the demo's history goes: weekly charts show trends.
            "days": DEMO_DAYS,
        }
        # Stage names, activity subjects and notes in the organisation's language, as a
        # user's work would write them (a command runs without one otherwise).
        with translation.override(settings.LANGUAGE_CODE):
            for config in apps.get_app_configs():
                name = f"{config.name}.demo"
                if importlib.util.find_spec(name) is not None:
                    importlib.import_module(name).seed(context)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in at http://{address} with:"))
        for user in users:
            self.stdout.write(f"  {user.username:<10} {DEMO_PASSWORD}   ({user.get_role_display()})")

    def _users(self) -> list[User]:
        users = []
        for username, name, role, language, country in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "name": name,
                    "role": role,
                    "language": language,
                    "country": country,
                    "email": f"{username}@demo.example",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users.append(user)
        return users
