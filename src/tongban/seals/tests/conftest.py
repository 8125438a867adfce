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
    # WeasyPrint directly: seals sits below documents and must not import its renderer.
    from weasyprint import HTML

    return HTML(string="<html lang=zh><body><p>关于测试的通知</p></body></html>").write_pdf()


@pytest.fixture
def people(small_county: County, units: list[Unit]) -> dict[str, Any]:
    from tongban.identity.models import User
    from tongban.orgs.models import Post

    clerk = User.objects.create_user(username="sealclerk", password="Tongban@2026", full_name="文书甲")
    Post.objects.create(county=small_county, user=clerk, unit=units[0], title="文书", is_primary=True)
    secadmin = User.objects.create_user(
        username="sealsec", password="Tongban@2026", full_name="安全员", admin_role="security"
    )
    sysadmin = User.objects.create_user(
        username="sealsys", password="Tongban@2026", full_name="系统员", admin_role="system"
    )
    return {"clerk": clerk, "secadmin": secadmin, "sysadmin": sysadmin, "anonymous": None}
