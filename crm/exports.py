"""Spreadsheet exports of every list: what the current filters show, in CSV or
XLSX, with headers in the user's language and formulas neutralised (CSV: a leading
apostrophe; XLSX: text cells, never formulas).

A list registers an :class:`ExportSource` (a name, its columns, and how to
build its scoped, filtered queryset from a user and query string). CSV is
written by PostgreSQL itself (``COPY (SELECT …) TO STDOUT``, labels, dates and the
formula guard computed in SQL, lists such as a person's tags aggregated once for
all rows) and streamed as it comes, at any size in constant memory. XLSX is built
during the request up to ``XLSX_SYNC_LIMIT`` rows; beyond, the task worker writes
it and the export page shows progress and then the download.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connections, models, transaction
from django.db.models import Case, F, OrderBy, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast, Coalesce
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext

from crm import access, locales, team

# A cell starting with one of these is run as a formula by spreadsheets
# (CSV injection); tab, carriage return and NUL can hide one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_SYNC_LIMIT = 20_000
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
CHUNK = 5000


def safe_cell(value: Any) -> Any:
    """A value for a CSV cell, which has no types: text a spreadsheet would evaluate gets a
    leading apostrophe; numbers, including negative ones, stay numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


_PREFIXES = frozenset(FORMULA_PREFIXES)


class Money(NamedTuple):
    """An amount with its currency: a plain number in CSV, a number cell formatted as the
    user's country writes money in XLSX (S/ 1,250.50 in Peru)."""

    amount: Decimal
    currency: str


def _csv_text(value: Any, tz) -> Any:
    """safe_cell() for CSV, with the common cases first: this runs once per
    cell of million-row exports."""
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in _PREFIXES else value
    if value is None:
        return ""
    if kind is datetime:
        return (value.astimezone(tz) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    if kind is date:
        return value.isoformat()
    if kind is Money:
        return value.amount
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], tz=None, lineterminator: str = "\r\n"
) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator=lineterminator)
    tz = tz or timezone.get_current_timezone()
    # A byte-order mark so that Excel opens UTF-8 (accents) correctly.
    yield "\ufeff" + writer.writerow([safe_cell(str(h)) for h in header])
    for row in rows:
        yield writer.writerow([_csv_text(cell, tz) for cell in row])


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV download streamed row by row: constant memory at any size."""
    # The team's clock is read now: the rows are written after the request's middleware is done.
    return csv_download(filename, csv_rows(header, rows, timezone.get_current_timezone()))


def csv_download(filename: str, pieces: Iterable[bytes | str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(
    handle, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], progress=None
) -> int:
    """Write a workbook in openpyxl's write-only mode (constant memory).
    Returns how many rows were written (at most a worksheet's limit)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=slugify(title)[:31] or "export")
    money_formats: dict[str, str] = {}  # currency -> Excel number format, in the user's locale
    locale = locales.active()

    def cell(value: Any) -> Any:
        if type(value) is Money:
            if value.currency not in money_formats:
                money_formats[value.currency] = locales.excel_money_format(value.currency, locale=locale)
            amount = WriteOnlyCell(sheet, value=value.amount)
            amount.number_format = money_formats[value.currency]
            return amount
        # XLSX cells are typed: text is written as text, as typed (no apostrophe that mailing
        # and SMS tools would keep on a "+51…" phone). openpyxl would make "=…" a formula: that
        # one is written as a text cell explicitly.
        if isinstance(value, str):
            if value.startswith("="):
                text = WriteOnlyCell(sheet, value=value)
                text.data_type = "s"
                return text
            return value
        return safe_cell(value)

    sheet.append([cell(str(h)) for h in header])
    count = 0
    for row in rows:
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append([cell(value) for value in row])
        count += 1
        if progress and count % CHUNK == 0:
            progress(count)
    workbook.save(handle)
    return count


def table_download(fmt: str, name: str, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]):
    """A report's table as a download (``fmt`` csv or xlsx), named ``name`` in the user's
    language (informe-de-campanas.xlsx); None for any other format."""
    filename = slugify(name)
    if fmt == "csv":
        return csv_response(f"{filename}.csv", header, rows)
    if fmt != "xlsx":
        return None
    handle = tempfile.SpooledTemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, title, header, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx")


@dataclass(frozen=True)
class Many:
    """A column listing a record's related names in one cell ("A, B"): the rows of ``model``
    whose ``key`` is the record's id, their ``value`` in alphabetical order."""

    model: type[models.Model]
    key: str
    value: str

    def names(self, ids: QuerySet | None = None) -> QuerySet:
        rows = (
            self.model.objects.all() if ids is None else self.model.objects.filter(**{f"{self.key}__in": ids})
        )
        return rows.values(self.key).annotate(names=StringAgg(self.value, ", ", order_by=self.value))


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    field: str  # a values_list() path or annotation
    choices: dict | None = None  # stored value -> label
    currency: str = ""  # for an amount: the field of its currency (exported as Money)
    many: Many | None = None  # a list of related names (``field`` names the cell)
    kind: str = ""  # a custom field's type (its value is stored as JSON)


def guarded_sql(sql: str) -> str:
    """safe_cell() in SQL: text a spreadsheet would run as a formula gets a leading apostrophe.
    The first character is compared by its code (the cheapest test on millions of cells)."""
    codes = ", ".join(str(ord(p)) for p in FORMULA_PREFIXES if p != "\0")  # text holds no NUL
    return f"(CASE WHEN ascii({sql}) IN ({codes}) THEN chr(39) || {sql} ELSE {sql} END)"


class _Guarded(models.Func):
    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return guarded_sql(sql), [*params, *params, *params]


def _formatted(expression, pattern: str) -> models.Func:
    """A date or time as _csv_text() writes it (times on the session's clock: csv() sets the
    team's)."""
    return models.Func(expression, Value(pattern), function="to_char", output_field=models.TextField())


def _yes_no(path: str, default: str | None = None) -> Case:
    return Case(
        When(**{path: True}, then=Value(gettext("Yes"))),
        When(**{path: False}, then=Value(gettext("No"))),
        default=Value(default),
    )


def _cell(queryset: QuerySet, column: Column, labels: dict | None):
    """One CSV cell in SQL: the value as _csv_text() would write it."""
    # Resolved on a copy: resolving a path joins its tables to the query it is resolved in.
    target = queryset.query.chain().resolve_ref(column.field, allow_joins=True)
    expression = F(column.field)
    if isinstance(target, KeyTransform):  # a custom field, stored as JSON
        if column.kind == "number":
            return KT(column.field)
        if column.kind == "yesno":
            return _yes_no(column.field)  # no value: an empty cell
        return _Guarded(KT(column.field))
    field = target.output_field
    if labels is not None:
        # One lookup in a JSON object of the labels (a long CASE would test every choice in turn);
        # the labels are the code's, only a stored value without one is guarded.
        table = Cast(Value({str(k): v for k, v in labels.items()}, models.JSONField()), models.JSONField())
        text = Cast(expression, models.TextField())
        label = models.Func(
            table, text, template="(%(expressions)s)", arg_joiner=" ->> ", output_field=models.TextField()
        )
        return Coalesce(label, _Guarded(text))
    if isinstance(field, models.BooleanField):
        return _yes_no(column.field, default=gettext("No"))
    if isinstance(field, models.DateTimeField):
        return _formatted(expression, "YYYY-MM-DD HH24:MI")
    if isinstance(field, models.DateField):
        return _formatted(expression, "YYYY-MM-DD")
    if isinstance(field, (models.CharField, models.TextField)):
        return _Guarded(expression)
    return expression


@dataclass(frozen=True)
class ExportSource:
    name: str
    title: Any
    permission: str
    columns: Callable[[], list[Column]]
    queryset: Callable[[Any, QueryDict], QuerySet]  # (user, query string) -> scoped, filtered rows

    def rows(self, user, params: QueryDict) -> tuple[list[Any], Iterator[list[Any]], QuerySet]:
        """The header and the rows as Python values (XLSX: typed cells)."""
        columns = self.columns()
        queryset = self.queryset(user, params)
        # One subquery per row for a list: fine for a worksheet's rows.
        lists = {
            c.field: Subquery(c.many.names().filter(**{c.many.key: OuterRef("pk")}).values("names"))
            for c in columns
            if c.many
        }
        fields = [c.field for c in columns]
        # Labels translated once, not once per row.
        labels = [
            {k: str(v) for k, v in c.choices.items()} if c.choices is not None else None for c in columns
        ]
        mapped = [i for i, table in enumerate(labels) if table is not None]
        amounts = [(i, fields.index(c.currency)) for i, c in enumerate(columns) if c.currency]

        def generate() -> Iterator[list[Any]]:
            # Inside a transaction the rows stream from a plain server-side cursor; outside one
            # (a streamed response runs after the view) Django declares it WITH HOLD, and
            # PostgreSQL first writes the whole result aside before the first row comes.
            with transaction.atomic(using=queryset.db):
                for values in queryset.annotate(**lists).values_list(*fields).iterator(chunk_size=CHUNK):
                    row = list(values)
                    for i in mapped:
                        row[i] = labels[i].get(row[i], row[i])
                    for i, currency in amounts:
                        if row[i] is not None:
                            row[i] = Money(row[i], row[currency])
                    yield row

        return [c.header for c in columns], generate(), queryset

    def csv_query(self, user, params: QueryDict) -> tuple[str, list[Any], QuerySet]:
        """The SELECT whose rows are the CSV's cells in the list's order, its parameters, and
        the scoped, filtered queryset it reads. A list column is aggregated once for all the
        chosen rows and joined, not one subquery per row."""
        columns = self.columns()
        queryset = self.queryset(user, params)
        cells = {
            f"export_{i}": _cell(
                queryset, c, {k: str(v) for k, v in c.choices.items()} if c.choices else None
            )
            for i, c in enumerate(columns)
            if not c.many
        }
        if not any(c.many for c in columns):
            sql, values = queryset.annotate(**cells).values_list(*cells).query.sql_with_params()
            return sql, list(values), queryset
        # The rows carry the list's sort keys, and the joined rows are sorted by them once.
        order, keys = [], {}
        for n, entry in enumerate(queryset.query.order_by or queryset.model._meta.ordering or ["pk"]):
            if isinstance(entry, str):
                expression = F(entry[1:]).desc() if entry.startswith("-") else F(entry).asc()
            else:
                expression = entry if isinstance(entry, OrderBy) else entry.asc()
            keys[f"export_o{n}"] = expression.expression
            nulls = (
                " NULLS FIRST" if expression.nulls_first else " NULLS LAST" if expression.nulls_last else ""
            )
            order.append(f"r.export_o{n}{' DESC' if expression.descending else ''}{nulls}")
        names = [*cells, "export_pk", *keys]
        rows = queryset.annotate(**cells, **keys).order_by().values_list(*cells, "pk", *keys)
        sql, values = rows.query.sql_with_params()
        values, selected, joins = list(values), [], []
        for i, column in enumerate(columns):
            if not column.many:
                selected.append(f"r.export_{i}")
                continue
            listed = column.many.names(queryset.order_by().values("pk")).values_list(column.many.key, "names")
            list_sql, list_values = listed.query.sql_with_params()
            joins.append(f" LEFT JOIN ({list_sql}) AS l{i} (id, names) ON l{i}.id = r.export_pk")
            values.extend(list_values)
            selected.append(guarded_sql(f"l{i}.names"))
        sql = (
            f"SELECT {', '.join(selected)} FROM ({sql}) AS r ({', '.join(names)})"
            + "".join(joins)
            + f" ORDER BY {', '.join(order)}"
        )
        return sql, values, queryset

    def csv(self, user, params: QueryDict) -> tuple[Iterator[bytes | str], QuerySet]:
        """The CSV file in pieces as PostgreSQL writes them (a byte-order mark and the header
        first), and the queryset it reads."""
        sql, values, queryset = self.csv_query(user, params)
        header = [c.header for c in self.columns()]
        zone = timezone.get_current_timezone_name()  # now: the file is written after the request

        def generate() -> Iterator[bytes | str]:
            yield from csv_rows(header, [], lineterminator="\n")
            copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
            with (
                transaction.atomic(using=queryset.db),
                connections[queryset.db].cursor() as cursor,
            ):
                cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone])
                with cursor.cursor.copy(copy_sql, values) as copy:
                    for block in copy:
                        yield bytes(block)

        return generate(), queryset

    def filename(self, extension: str) -> str:
        return f"{slugify(str(self.title)) or self.name}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


SOURCES: dict[str, ExportSource] = {}


def register(source: ExportSource) -> ExportSource:
    SOURCES[source.name] = source
    return source


def export_response(request: HttpRequest, name: str, **extra: Any) -> HttpResponse:
    """The export of list ``name`` as the query string (and ``extra``) filter it."""
    source = SOURCES[name]
    if not access.may_export(request.user, source.permission):
        raise PermissionDenied
    params = request.GET.copy()
    for key, value in extra.items():
        params[key] = str(value)
    fmt = params.pop("format", ["csv"])[-1]
    from crm.personal_data import audit

    if fmt != "xlsx":
        pieces, queryset = source.csv(request.user, params)
        audit(by=request.user, what=name, filters=params.urlencode(), rows=queryset.count())
        return csv_download(source.filename("csv"), pieces)
    header, rows, queryset = source.rows(request.user, params)
    audit(by=request.user, what=name, filters=params.urlencode(), rows=queryset.count())
    if queryset[: XLSX_SYNC_LIMIT + 1].count() > XLSX_SYNC_LIMIT:
        from crm.models import ExportJob
        from crm.tasks import build_export

        job = ExportJob.objects.create(
            created_by=request.user,
            source=name,
            params=params.urlencode()[:2000],
            format="xlsx",
            language=translation.get_language() or "es",
            filename=source.filename("xlsx"),
        )
        build_export.enqueue(job.pk)
        return redirect("crm:export_detail", job.pk)
    # FileResponse closes the file once it is sent.
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(handle, str(source.title), header, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=source.filename("xlsx"))


def build_export_file(job) -> None:
    """The task side: write a queued export to storage, with progress."""
    from crm.models import ExportJob

    source = SOURCES[job.source]
    user = job.created_by
    with team.speaking_as(job.created_by, job.language):
        header, rows, queryset = source.rows(user, QueryDict(job.params))
        total = max(min(queryset.count(), XLSX_MAX_ROWS), 1)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(progress=min(99, done * 100 // total))

        with tempfile.TemporaryFile() as handle:
            job.rows = write_xlsx(handle, str(source.title), header, rows, progress)
            handle.seek(0)
            job.file.save(job.filename, File(handle), save=False)
