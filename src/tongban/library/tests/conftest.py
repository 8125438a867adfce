from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tongban.identity.models import User
from tongban.library import services
from tongban.library.models import Resource, ResourceKind, SharingLevel
from tongban.orgs import demo
from tongban.orgs.models import County, Post, Unit
from tongban.orgs.services import seed_apply

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CSV = "地区,人口,面积,统计日期\n城关镇,52000,86.5,2025-12-31\n青石镇,31000,120.25,2025-12-31\n".encode()


def xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def media_files(settings: Any) -> Any:
    def files() -> list[Path]:
        root = Path(settings.MEDIA_ROOT)
        return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []

    return files


@pytest.fixture
def county(db: Any) -> County:
    seed_apply(plan=demo.build_plan(staff=60))
    return County.objects.get(code=demo.COUNTY_CODE)


@pytest.fixture
def accounts(county: County) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}


@pytest.fixture
def units(county: County) -> dict[str, Unit]:
    return {u.short_name: u for u in Unit.objects.filter(county=county)}


@pytest.fixture
def outsider(county: County, units: dict[str, Unit]) -> User:
    """A staff member in neither 统计局, 财政局 nor 税务局, with no role there."""
    near = [units["统计局"].pk, units["财政局"].pk, units["税务局"].pk]
    post = (
        Post.objects.filter(county=county, is_primary=True, user__is_active=True, user__admin_role="")
        .exclude(user__posts__unit_id__in=near)
        .exclude(user__role_grants__unit_id__in=near)
        .select_related("user")
        .order_by("id")
        .first()
    )
    assert post is not None
    return post.user


def fresh(user: User) -> User:
    """The same user without the per-request memos (role pairs, units)."""
    return User.objects.get(pk=user.pk)


def publish(
    admin: User,
    unit: Unit,
    *,
    title: str = "2025年全县主要经济指标",
    kind: str = ResourceKind.DATASET,
    data: bytes = CSV,
    name: str = "指标.csv",
    sharing: str = SharingLevel.OPEN,
    shared: list[Unit] | None = None,
    **kwargs: Any,
) -> Resource:
    return services.resource_publish(
        actor=fresh(admin),
        owner_unit=unit,
        kind=kind,
        title=title,
        file=services.content_file(data, name),
        file_name=name,
        sharing=sharing,
        shared_unit_ids=[u.pk for u in shared or []],
        **kwargs,
    )
