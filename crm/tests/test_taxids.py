import pytest
from django.core.exceptions import ValidationError

from crm.taxids import format_tax_id, normalize_tax_id


@pytest.mark.parametrize(
    ("country", "raw", "stored"),
    [
        ("PE", "20131312955", "20131312955"),
        ("PE", "20100070970", "20100070970"),
        ("BR", "11.222.333/0001-81", "11222333000181"),
        ("BR", "12.ABC.345/01DE-35", "12ABC34501DE35"),  # alphanumeric CNPJ (2026)
        ("MX", "gode-561231-gr8", "GODE561231GR8"),
        ("CO", "890.903.938-8", "8909039388"),
        ("CL", "12.345.678-5", "123456785"),
        ("CL", "76.086.428-5", "760864285"),
        ("AR", "  30-71234567-1 ", "30-71234567-1"),
        ("PE", "", ""),
    ],
)
def test_valid_tax_ids_are_stored_in_canonical_form(country, raw, stored):
    assert normalize_tax_id(raw, country) == stored


@pytest.mark.parametrize(
    ("country", "raw"),
    [
        ("PE", "20131312954"),  # wrong check digit
        ("PE", "30131312955"),  # no such RUC type
        ("PE", "2013131295"),
        ("BR", "11.222.333/0001-82"),
        ("BR", "11111111111111"),
        ("MX", "GODE561331GR8"),  # 31st of the 13th month
        ("MX", "GODE561231GR9"),
        ("CO", "890903938-7"),
        ("CL", "12.345.678-K"),
        ("CL", "abc"),
    ],
)
def test_invalid_tax_ids_are_refused(country, raw):
    with pytest.raises(ValidationError):
        normalize_tax_id(raw, country)


def test_tax_ids_are_shown_as_written_on_paper():
    assert format_tax_id("11222333000181", "BR") == "11.222.333/0001-81"
    assert format_tax_id("8909039388", "CO") == "890903938-8"
    assert format_tax_id("123456785", "CL") == "12.345.678-5"
