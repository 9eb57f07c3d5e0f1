"""Import people from a CSV or XLSX file, as the Imports page does.

    python manage.py import_people FILE [--dry-run] [--owner USERNAME] [--tag NAME]... [--country BR]

The last line printed is the counts: rows=N created=N updated=N skipped=N errors=N
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm import importing
from crm.countries import COUNTRIES
from crm.models import User
from people.models import ImportJob, Person, Tag


class Command(BaseCommand):
    help = "Import people from a CSV or XLSX file (columns named in Spanish, Portuguese or English)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")
        parser.add_argument(
            "--owner", help="Username who owns new people (default: the first administrator)."
        )
        parser.add_argument(
            "--tag", action="append", default=[], help="A tag to add to every row (repeatable)."
        )
        parser.add_argument("--stage", choices=Person.Stage.values, default=Person.Stage.PROSPECT)
        parser.add_argument(
            "--country",
            type=str.upper,
            choices=[code for code, _name in COUNTRIES],
            help="The file's country (BR, PE, MX...): phones without a code are read in it, and rows "
            "without a country are in it (default: the owner's country, else the team's).",
        )

    def handle(
        self,
        *args,
        file: Path,
        dry_run: bool,
        owner: str | None,
        tag: list[str],
        stage: str,
        country: str | None = None,
        **options,
    ):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        user = self._user(owner)
        tags = []
        for name in tag:
            found = Tag.objects.filter(name__iexact=name.strip()).first()
            if found is None:
                raise CommandError(f"Unknown tag: {name}")
            tags.append(found)
        with file.open("rb") as handle:
            upload = File(handle, name=file.name)
            try:
                job = importing.start_job(
                    user=user, upload=upload, owner=user, stage=stage, tags=tags, country=country or ""
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        if "first_name" not in job.mapping and "full_name" not in job.mapping:
            raise CommandError("No column holds the first name or the full name.")
        self.stdout.write(
            "columns: "
            + ", ".join(f"{h} -> {m or '-'}" for h, m in zip(job.headers, job.mapping, strict=True))
        )
        job.started_at = timezone.now()
        counts = importing.preview(job) if dry_run else importing.run(job)
        for name, value in counts.as_dict().items():
            setattr(job, name, value)
        job.status = ImportJob.Status.PREVIEWED if dry_run else ImportJob.Status.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()
        if job.error_report:
            self.stdout.write(f"error report: {job.error_report.path}")
        self.stdout.write(counts.line())

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {username}")
            return user
        user = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("Create an administrator first, or pass --owner USERNAME.")
        return user
