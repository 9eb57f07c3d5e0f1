"""A small-scale run of the import/export benchmark, so `make bench` keeps working."""

import pytest

from bench import people_io

pytestmark = pytest.mark.django_db


def test_benchmark_runs_at_small_scale():
    text = people_io.run(people=60, rows=40, runs=1, baseline_rows=10)
    assert "import 40 rows vs 60 people" in text
    assert "django-import-export row by row" in text
    assert "export" in text
    assert "rows=40" in text
