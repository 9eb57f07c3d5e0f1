"""The import engine: CSV or XLSX files read in chunks, each row cleaned, matched and
written by the importer of its kind, with a preview, progress, counts and an error report.

The engine knows no kind of record: each app registers its importer (people's in
people/importing.py, companies' in companies/importing.py). The preview runs exactly
what the import does without writing; the import writes each chunk in one transaction
(whole rows or none) and keeps a CSV of the rows in error, neutralised as exports are,
ready to fix and import again.
"""

from __future__ import annotations

import contextvars
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.files import File
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from crm.countries import fold
from crm.exports import safe_cell
from crm.tables import Table, header_key, inspect, rows

if TYPE_CHECKING:
    from crm.models import User

CHUNK = 5000
PREVIEW_ROWS = 100
PREVIEW_ERRORS = 200


def _job_model():
    """The import job (people.ImportJob), through the app registry: the core imports no app."""
    return apps.get_model("people", "ImportJob")


def field_choices(fields: dict[str, tuple[Any, list[str]]]) -> list[tuple[str, Any]]:
    return [("", _("(do not import)")), *((name, label) for name, (label, _names) in fields.items())]


def match_headers(headers: list[str], fields: dict[str, tuple[Any, list[str]]]) -> list[str]:
    """The field each column most likely holds ('' when none), each field once."""
    lookup = {alias: name for name, (_label, aliases) in fields.items() for alias in aliases}
    used: set[str] = set()
    mapping = []
    for header in headers:
        name = lookup.get(header_key(header), "")
        if name in used:
            name = ""
        used.add(name)
        mapping.append(name)
    return mapping


def choice_lookup(choices, extra: dict[str, str]) -> dict[str, str]:
    """Folded labels in every language and the values themselves -> value."""
    table = {fold(value): value for value, _label in choices}
    for language in ("en", "es", "pt-br"):
        with translation.override(language):
            table.update({fold(str(label)): value for value, label in choices})
    table.update(extra)
    return table


@dataclass
class Row:
    line: int
    raw: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    tags: list = field(default_factory=list)
    action: str = "new"  # new, update, skip, error
    reason: str = ""
    record_id: int | None = None  # the matched or created record
    changed: list[str] = field(default_factory=list)


def read_rows(job) -> Iterator[Row]:
    table = Table(format=job.format, encoding=job.encoding, delimiter=job.delimiter, headers=job.headers)
    with job.file.open("rb") as handle:
        for number, raw in enumerate(rows(handle, table), start=2):
            yield Row(line=number, raw=raw)


def chunks(items: Iterable[Row], size: int | None = None) -> Iterator[list[Row]]:
    size = size or CHUNK
    chunk: list[Row] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0

    def add(self, chunk: list[Row]) -> None:
        self.rows += len(chunk)
        for row in chunk:
            if row.action == "new":
                self.created += 1
            elif row.action == "update":
                self.updated += 1
            elif row.action == "skip":
                self.skipped += 1
            else:
                self.errors += 1

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("rows", "created", "updated", "skipped", "errors")}

    def line(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.as_dict().items())


Progress = Callable[[int], None]


class Importer:
    """What one kind of import (people, companies) knows: its fields, how to
    guess columns, and how to clean, match and write a chunk of rows."""

    kind: str
    fields: dict[str, tuple[Any, list[str]]]
    # The mapping must include one of these (the record's name).
    required: tuple[str, ...]
    required_message: Any

    def guess_mapping(self, headers: list[str]) -> list[str]:
        return match_headers(headers, self.fields)

    def state(self, job) -> Any:
        raise NotImplementedError

    def clean(self, chunk: list[Row], state: Any) -> None:
        """Read each row on its own: its values, or the error and its reason. Runs ahead of
        :meth:`match` in another thread (see :func:`cleaned`): it must not touch the database
        (a query there fails), and reads nothing :meth:`match` or :meth:`write` change."""
        raise NotImplementedError

    def match(self, chunk: list[Row], state: Any) -> None:
        """Set each clean row's action (new, update, skip) and reason, against the file so
        far and the database."""
        raise NotImplementedError

    def write(self, chunk: list[Row], state: Any) -> None:
        raise NotImplementedError


def with_custom_fields(
    fields: dict[str, tuple[Any, list[str]]], model: str
) -> dict[str, tuple[Any, list[str]]]:
    """The import's fields and the model's active custom fields ("cf:<key>"),
    recognised by their name or key."""
    from crm.custom_fields import definitions

    extra = {f"cf:{d.key}": (d.name, [header_key(d.name), d.key]) for d in definitions(model)}
    return {**fields, **extra}


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError(
        "An importer's clean() ran a query: it runs in another thread, outside the import's transaction."
    )


def cleaned(job, importer: Importer, state: Any) -> Iterator[list[Row]]:
    """The file's chunks, each with its rows cleaned. The next chunk is read and cleaned in a
    thread while the caller matches and writes this one: that is mostly waiting on PostgreSQL,
    which leaves the interpreter to the cleaning (phone numbers, emails: 1.5 s of CPU for
    20,000 rows at a million people). The thread reads in the caller's language and context (the viewer's country)."""
    source = chunks(read_rows(job))
    language = translation.get_language()

    def clean_next() -> list[Row] | None:
        with translation.override(language), connection.execute_wrapper(_no_queries):
            chunk = next(source, None)
            if chunk is not None:
                importer.clean(chunk, state)
            return chunk

    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-clean") as pool:
            ahead = pool.submit(contextvars.copy_context().run, clean_next)
            while (chunk := ahead.result()) is not None:
                ahead = pool.submit(contextvars.copy_context().run, clean_next)
                yield chunk
    finally:
        source.close()  # the file, once the thread is done with it


# kind -> its importer: each app registers its own.
IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


def preview(job, progress: Progress | None = None) -> Counts:
    """The dry run: what the import would do, row by row; writes nothing but
    the job's counts and a sample of rows (the errors first)."""
    importer = IMPORTERS[job.kind]
    state = importer.state(job)
    counts = Counts()
    sample: list[dict] = []
    errors: list[dict] = []
    for chunk in cleaned(job, importer, state):
        importer.match(chunk, state)
        counts.add(chunk)
        for row in chunk:
            item = {"line": row.line, "action": row.action, "reason": row.reason, "raw": row.raw[:12]}
            if row.action == "error" and len(errors) < PREVIEW_ERRORS:
                errors.append(item)
            elif len(sample) < PREVIEW_ROWS:
                sample.append(item)
        if progress:
            progress(counts.rows)
    job.preview = errors + sample
    return counts


def run(job, progress: Progress | None = None) -> Counts:
    """The import: chunk by chunk, each in one transaction; returns the counts
    and stores the error report on the job."""
    importer = IMPORTERS[job.kind]
    state = importer.state(job)
    counts = Counts()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="") as report:
        writer = csv.writer(report)
        writer.writerow([*job.headers, _("Error")])
        for chunk in cleaned(job, importer, state):
            with transaction.atomic():
                # One import of a kind writes at a time, so two imports of the
                # same records cannot both create them.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"import.{job.kind}"])
                importer.match(chunk, state)
                importer.write(chunk, state)
            counts.add(chunk)
            for row in chunk:
                if row.action == "error":
                    # Exactly as exports write cells: a spreadsheet evaluates no formula from the file.
                    writer.writerow([safe_cell(value) for value in (*row.raw, row.reason)])
            if progress:
                progress(counts.rows)
        if counts.errors:
            report.seek(0)
            data = io.BytesIO(("\ufeff" + report.read()).encode("utf-8"))
            job.error_report.save(f"errors-{job.pk}.csv", File(data), save=False)
    return counts


# Jobs ------------------------------------------------------------------------


def estimate_rows(job) -> int:
    """About how many data rows the file has, for the progress bar."""
    with job.file.open("rb") as handle:
        if job.format == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(handle, read_only=True)
            try:
                return max((workbook.worksheets[0].max_row or 1) - 1, 0)
            finally:
                workbook.close()
        lines = 0
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
        return max(lines - 1, 0)


def start_job(
    *,
    user: User,
    upload,
    owner: User | None,
    stage: str = "prospect",
    tags=(),
    kind: str = "people",
    country: str = "",
    extra_options: dict | None = None,
):
    """Store an uploaded file as a new import, with its columns guessed."""
    table = inspect(upload, upload.name)
    job = _job_model()(
        kind=kind,
        created_by=user,
        original_name=upload.name[:255],
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        mapping=IMPORTERS[kind].guess_mapping(table.headers),
        options={
            "owner": (owner or user).pk,
            "stage": stage,
            "tags": [t.pk for t in tags],
            "country": country,
            "file_name": upload.name[:255],
            **(extra_options or {}),
        },
    )
    upload.seek(0)
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job
