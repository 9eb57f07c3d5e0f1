from decimal import Decimal

import pytest

from crm.exports import csv_rows, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ana", "Ana"),
        ("", ""),
        (None, ""),
    ],
)
def test_formulas_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_real_numbers_stay_numbers():
    assert safe_cell(-2) == -2
    assert safe_cell(Decimal("-10.50")) == Decimal("-10.50")
    assert safe_cell(3.5) == 3.5


def test_csv_starts_with_a_byte_order_mark_for_excel():
    lines = list(csv_rows(["Nombre"], [["José"]]))
    assert lines[0].startswith("\ufeff")
    assert lines[1] == "José\r\n"
