"""Fixtures of the documents tests: a small county (县政府, 政府办, 财政局, 民政局) with a clerk, an
office head and a leader in each unit, a county leader, and an outsider."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.documents.models import DocStatus, Document, NumberSeries
from tongban.identity.models import User
from tongban.orgs.models import County, LeaderDuty, Office, Post, RoleGrant, Unit

UNITS = [
    ("zf", "青山县人民政府", "县政府", "政", "leading_body"),
    ("zfb", "青山县人民政府办公室", "政府办", "政办", "gov_dept"),
    ("cz", "青山县财政局", "财政局", "财", "gov_dept"),
    ("mz", "青山县民政局", "民政局", "民", "gov_dept"),
]


class World:
    county: County
    units: dict[str, Unit]
    users: dict[str, User]
    series: NumberSeries


def _user(username: str, name: str) -> User:
    return User.objects.create_user(username=username, password="x", full_name=name)


@pytest.fixture
def world(db: Any) -> World:
    w = World()
    w.county = County.objects.create(name="青山县", code="990009")
    w.units = {}
    for i, (key, name, short, code, kind) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=w.county, unit_code=key.upper(), name=name, short_name=short, code=code, kind=kind, sort=i
        )
    w.users = {}
    for key in ("zfb", "cz", "mz"):
        unit = w.units[key]
        office = Office.objects.create(county=w.county, unit=unit, name="秘书股")
        for role, suffix, title in (
            ("clerk", "clerk", "文书"),
            ("office_head", "head", "办公室主任"),
            ("unit_leader", "leader", "局长"),
        ):
            u = _user(f"{key}_{suffix}", f"{unit.short_name}{title}")
            Post.objects.create(
                county=w.county,
                user=u,
                unit=unit,
                office=office if role != "unit_leader" else None,
                title=title,
            )
            RoleGrant.objects.create(county=w.county, user=u, unit=unit, role=role)
            w.users[f"{key}_{suffix}"] = u
    leader = _user("countyleader", "王副县长")
    Post.objects.create(county=w.county, user=leader, unit=w.units["zf"], title="副县长")
    RoleGrant.objects.create(county=w.county, user=leader, unit=w.units["zf"], role="county_leader")
    LeaderDuty.objects.create(county=w.county, leader=leader, unit=w.units["mz"])
    w.users["countyleader"] = leader
    w.users["staff"] = _user("zfb_staff", "政府办科员")
    Post.objects.create(
        county=w.county,
        user=w.users["staff"],
        unit=w.units["zfb"],
        office=Office.objects.get(unit=w.units["zfb"]),
    )
    w.series = NumberSeries.objects.create(
        county=w.county, unit=w.units["zfb"], prefix="青政办发", name="政府办发文"
    )
    NumberSeries.objects.create(county=w.county, unit=w.units["cz"], prefix="青财发")
    return w


def signed_document(w: World, *, title: str = "关于做好年终工作的通知") -> Document:
    """A document already signed (as the workflow would leave it), without a process."""
    return Document.objects.create(
        county=w.county,
        unit=w.units["zfb"],
        created_by=w.users["zfb_clerk"],
        title=title,
        body_html="<p>正文。</p>",
        status=DocStatus.SIGNED,
        series=w.series,
    )
