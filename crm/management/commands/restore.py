from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from crm import backup


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `backup` (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .dump file written by `python manage.py backup`")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args, file, yes=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        database = connections["default"].settings_dict
        if not yes and input(f"Replace everything in database {database['NAME']} with {path}? [y/N] ") != "y":
            raise CommandError("Nothing restored.")
        connections.close_all()
        try:
            backup.restore(path, database)
        except backup.BackupError as exc:
            raise CommandError(f"The restore failed, the database is unchanged: {exc}") from exc
        self.stdout.write(f"Restored {path}.")
