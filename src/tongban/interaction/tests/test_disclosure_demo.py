"""Demo data of the disclosure requests: 60 rows, idempotent, balancing annual tables, one extension."""

from datetime import date

import pytest

from tongban.core.clock import moved_to
from tongban.interaction.demo_disclosure import seed
from tongban.interaction.disclosure_selectors import annual_table
from tongban.interaction.disclosure_table import balance_errors
from tongban.interaction.models import DisclosureRequest
from tongban.interaction.testing import build_world

pytestmark = pytest.mark.django_db


def test_demo():
    w = build_world()
    with moved_to(date(2026, 11, 27)):
        print(seed(None))
        print(seed(None))
    print(list(DisclosureRequest.objects.values_list("status", flat=True)))
    for y in (2025, 2026):
        assert balance_errors(annual_table(w.county, y)) == []
    assert DisclosureRequest.objects.filter(extended=True).count() == 1
