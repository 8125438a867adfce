"""The demo catalogue: ≥ 300 published items over ≥ 30 departments of the demo county, every one
valid by the catalogue's own rules, 食品经营许可（新办）where the demo handler works, fast, and
idempotent."""

from __future__ import annotations

import time

import pytest

from tongban.approvals import catalogue, demo_catalogue
from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.catalogue import FeeIn, StepIn
from tongban.approvals.models import ItemStatus, ItemVersion, ServiceItem, VersionStatus
from tongban.orgs import demo
from tongban.orgs.models import County
from tongban.orgs.selectors import user_primary_unit
from tongban.orgs.services import seed_apply

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    seed_apply(plan=demo.build_plan(staff=150))
    return County.objects.get(code=demo.COUNTY_CODE)


def test_demo_seeds_a_realistic_catalogue_fast_and_idempotently(county, django_user_model):
    started = time.monotonic()
    summary = demo_catalogue.seed(None)
    assert time.monotonic() - started < 5, "the demo catalogue must seed in under 5 s"
    published = sel.items_published(county=county)
    assert published.count() >= 300, summary
    assert published.values("department").distinct().count() >= 30
    assert ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == ServiceItem.objects.count()

    food = sel.item_by_code(f"{county.code}-SCJ-XK-001")
    assert food.name == "食品经营许可（新办）" and food.department.short_name == "市场监管局"
    assert food.variant == "new" and food.parent.code == f"{county.code}-SCJ-XK-Z01"
    assert [f["key"] for f in food.current.form_schema] == ["business_name", "address", "scope"]
    handler = django_user_model.objects.get(username="handler")
    assert user_primary_unit(handler) == food.current.implementing_unit
    variants = set(ServiceItem.objects.filter(parent=food.parent).values_list("variant", flat=True))
    assert variants == {"new", "change", "renew", "cancel"}
    for name in (
        "个体工商户登记（新办）",
        "建设工程规划许可（新办）",
        "建筑工程施工许可（新办）",
        "户口迁入（投靠亲属）",
        "内地居民结婚登记",
    ):
        assert published.filter(name=name).exists(), name

    # every version obeys the catalogue's own rules (the same checks a department's edit passes)
    versions = ItemVersion.objects.prefetch_related("steps", "fees", "materials")
    charged = 0
    for v in versions:
        catalogue.validate_limits(v.statutory_limit, v.committed_limit)
        catalogue.validate_steps(
            v.process_key, [StepIn(s.key, s.limit, s.counts) for s in v.steps.all()], v.committed_limit
        )
        catalogue._validate_fees(v.fee_free, [FeeIn(f.name, f.amount, f.basis) for f in v.fees.all()])
        catalogue.validate_form_schema(v.form_schema)
        assert v.legal_basis and v.materials.all(), v.name
        charged += not v.fee_free
    assert 0 < charged < versions.count() // 5  # most are free; some charge with a basis

    count = ServiceItem.objects.count()
    assert "未改动" in demo_catalogue.seed(None)
    assert ServiceItem.objects.count() == count
    assert ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, current__isnull=True).count() == 0


def test_demo_without_the_county_does_nothing(db):
    assert "跳过" in demo_catalogue.seed(None)
    assert not ServiceItem.objects.exists()
