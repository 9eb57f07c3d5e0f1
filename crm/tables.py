"""Reading spreadsheets as real users have them: CSV in UTF-8 (with or without
a byte-order mark) or Windows-1252/Latin-1 as Excel in Spanish or Portuguese
saves it, with `,` `;` or tab between columns, and XLSX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm.countries import fold

DELIMITERS = [",", ";", "\t"]
MAX_COLUMNS = 100


@dataclass
class Table:
    format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)


def detect_format(filename: str, head: bytes) -> str:
    """csv or xlsx, by content first (an XLSX file is a zip archive)."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if Path(filename).suffix.lower() in {".xlsx", ".xlsm"}:
        raise ValidationError(_("This file is not a valid XLSX workbook."))
    if b"\x00" in head[:4096]:
        raise ValidationError(_("This file is neither CSV text nor an XLSX workbook."))
    return "csv"


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A cut in the middle of a multi-byte character at the end is still UTF-8.
        if error.start < len(sample) - 4:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return "latin-1"
            return "cp1252"
    return "utf-8"


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def inspect(handle: BinaryIO, filename: str) -> Table:
    """The format, encoding, delimiter and header row of an uploaded file."""
    head = handle.read(65536)
    handle.seek(0)
    table = Table(format=detect_format(filename, head))
    if table.format == "csv":
        table.encoding = detect_encoding(head)
        text = head.decode(table.encoding, errors="replace")
        first_line = text.splitlines()[0] if text.splitlines() else ""
        table.delimiter = detect_delimiter(first_line)
        table.headers = next(csv.reader([first_line], delimiter=table.delimiter), [])
    else:
        table.headers = [str(h) if h is not None else "" for h in next(_xlsx_rows(handle), [])]
        handle.seek(0)
    table.headers = [" ".join(h.split()) for h in table.headers][:MAX_COLUMNS]
    if not any(table.headers):
        raise ValidationError(_("The file is empty or its first row has no column names."))
    return table


def rows(handle: BinaryIO, table: Table) -> Iterator[list[str]]:
    """The data rows (after the header), each as a list of stripped strings."""
    if table.format == "csv":
        text = io.TextIOWrapper(handle, encoding=table.encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=table.delimiter)
        next(reader, None)
        for row in reader:
            if any(cell.strip() for cell in row):
                yield [cell.strip() for cell in row[:MAX_COLUMNS]]
        text.detach()
    else:
        source = _xlsx_rows(handle)
        next(source, None)
        for row in source:
            cells = ["" if v is None else _cell_text(v) for v in row[:MAX_COLUMNS]]
            if any(cells):
                yield cells


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed in Excel comes back as 987654321.0
    return str(value).strip()


def _xlsx_rows(handle: BinaryIO) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise ValidationError(_("This file is not a valid XLSX workbook.")) from error
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(header: str) -> str:
    """A header folded for matching: 'Teléfono móvil' -> 'telefono movil'."""
    return _NOT_WORD.sub(" ", fold(header)).strip()
