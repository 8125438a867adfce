from __future__ import annotations

from typing import Any

import pytest

from tongban.identity.models import User
from tongban.notices import services
from tongban.notices.models import Notice
from tongban.orgs import demo
from tongban.orgs.models import County, Unit
from tongban.orgs.services import seed_apply

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county(db: Any) -> County:
    """A scaled-down demo county: all 134 units, 150 staff, the demo accounts."""
    seed_apply(plan=demo.build_plan(staff=150))
    return County.objects.get(code=demo.COUNTY_CODE)


@pytest.fixture
def accounts(county: County) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[a[1] for a in demo.DEMO_ACCOUNTS])}


@pytest.fixture
def units(county: County) -> dict[str, Unit]:
    return {u.short_name: u for u in Unit.objects.filter(county=county)}


@pytest.fixture
def outsider(county: County, units: dict[str, Unit]) -> User:
    """Somebody in the county with a post in neither 政府办 nor 财政局 (nor any publisher role there)."""
    from tongban.orgs.models import Post

    near = [units["政府办"].pk, units["财政局"].pk, units["县政府"].pk]
    post = (
        Post.objects.filter(county=county, is_primary=True, user__is_active=True, user__admin_role="")
        .exclude(user__posts__unit_id__in=near)
        .exclude(user__role_grants__unit_id__in=near)
        .select_related("user", "unit")
        .order_by("id")
        .first()
    )
    assert post is not None
    return post.user


def make_notice(
    actor: User,
    unit: Unit,
    *,
    targets: list[Unit] | None = None,
    whole_county: bool = False,
    publish: bool = True,
    **kwargs: Any,
) -> Notice:
    notice = services.notice_create(
        actor=actor,
        unit=unit,
        title=kwargs.pop("title", "关于召开全县安全生产工作会议的通知"),
        body=kwargs.pop("body", "各单位：\n\n定于下周一召开会议。"),
        whole_county=whole_county,
        target_unit_ids=[u.pk for u in targets or []],
        **kwargs,
    )
    if publish:
        services.notice_publish(actor=actor, notice=notice)
        notice.refresh_from_db()
    return notice
