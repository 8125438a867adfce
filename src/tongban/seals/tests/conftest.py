from __future__ import annotations

from typing import Any

import pytest

from tongban.orgs.models import County, Unit
from tongban.seals import services


@pytest.fixture
def small_county(db: Any) -> County:
    county = County.objects.create(name="青山县", code="990001")
    for i, (name, code) in enumerate(
        (("青山县人民政府办公室", "ZFB"), ("青山县财政局", "CZJ"), ("青山县民政局", "MZJ"))
    ):
        Unit.objects.create(
            county=county, unit_code=code, name=name, short_name=name[3:], kind="gov_dept", sort=i
        )
    return county


@pytest.fixture
def units(small_county: County) -> list[Unit]:
    return list(Unit.objects.filter(county=small_county).order_by("sort"))


@pytest.fixture
def sealed_unit(small_county: County, units: list[Unit]) -> Unit:
    services.ca_init(county=small_county)
    services.certificate_issue(unit=units[0])
    return units[0]


@pytest.fixture
def simple_pdf() -> bytes:
    from tongban.documents.render import DocumentSpec, render_pdf

    spec = DocumentSpec(
        title="关于测试的通知",
        doc_number="青政发〔2026〕1号",
        organs=["青山县人民政府"],
        body_html="<p>测试正文。</p>",
    )
    return render_pdf(spec)
