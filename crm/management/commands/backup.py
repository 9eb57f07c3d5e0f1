from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from crm import backup


class Command(BaseCommand):
    help = "Write a backup of the whole database (pg_dump custom format) to backups/ or --output."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/crm-<date>-<time>.dump)")

    def handle(self, *args, output=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = Path(output) if output else Path(settings.BASE_DIR) / "backups" / f"crm-{stamp}.dump"
        try:
            backup.dump(path, connections["default"].settings_dict)
        except backup.BackupError as exc:
            raise CommandError(f"The backup failed: {exc}") from exc
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
