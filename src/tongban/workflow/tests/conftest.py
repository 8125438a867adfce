"""Workflow fixtures: a small county (two units, six people with roles) and the test processes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tongban.identity.models import User
from tongban.orgs.models import County, Post, RoleGrant, Unit
from tongban.workflow import registry

BPMN = Path(__file__).parent / "bpmn"
PASSWORD = "Tongban@2026"

registry.register_default_definition(key="test.simple", name="测试流程", path=BPMN / "simple.bpmn")
registry.register_default_definition(key="test.parallel", name="并行测试", path=BPMN / "parallel.bpmn")
registry.register_subject(
    subject_type="test.subject", url=lambda pk: f"/workflow/test-subject/{pk}/", label="测试"
)


@dataclass
class Org:
    county: County
    gov: Unit  # 政府办
    fin: Unit  # 财政局
    edu: Unit  # 教体局
    clerk: User  # 文书, 政府办 (starter)
    head: User  # 办公室主任, 政府办
    head2: User  # also 办公室主任, 政府办 (pooled role: both see the item)
    leader: User  # 单位领导, 财政局
    edu_leader: User  # 单位领导, 教体局
    other: User  # staff without a role, 政府办
    secadmin: User
    sysadmin: User

    def users(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, User)}


def _user(username: str, name: str, unit: Unit | None, county: County, **extra: Any) -> User:
    u = User.objects.create_user(username=username, password=PASSWORD, full_name=name, **extra)
    if unit is not None:
        Post.objects.create(county=county, user=u, unit=unit, title="科员", is_primary=True)
    return u


@pytest.fixture
def org(db: Any) -> Org:
    county = County.objects.create(name="测试县", code="369999")
    gov = Unit.objects.create(
        county=county, unit_code="G1", name="测试县人民政府办公室", short_name="政府办", kind="gov_dept"
    )
    fin = Unit.objects.create(
        county=county, unit_code="F1", name="测试县财政局", short_name="财政局", kind="gov_dept"
    )
    edu = Unit.objects.create(
        county=county, unit_code="E1", name="测试县教体局", short_name="教体局", kind="gov_dept"
    )
    clerk = _user("wf_clerk", "王文书", gov, county, mobile="13800000001")
    head = _user("wf_head", "李主任", gov, county, mobile="13800000002")
    head2 = _user("wf_head2", "赵主任", gov, county)
    leader = _user("wf_leader", "张局长", fin, county, mobile="13800000003")
    edu_leader = _user("wf_edu", "陈局长", edu, county)
    other = _user("wf_other", "刘科员", gov, county)
    secadmin = _user("wf_sec", "安全管理员", None, county, admin_role="security")
    sysadmin = _user("wf_sys", "系统管理员", None, county, admin_role="system")
    RoleGrant.objects.create(county=county, user=clerk, unit=gov, role="clerk")
    RoleGrant.objects.create(county=county, user=head, unit=gov, role="office_head")
    RoleGrant.objects.create(county=county, user=head2, unit=gov, role="office_head")
    RoleGrant.objects.create(county=county, user=leader, unit=fin, role="unit_leader")
    RoleGrant.objects.create(county=county, user=edu_leader, unit=edu, role="unit_leader")
    return Org(county, gov, fin, edu, clerk, head, head2, leader, edu_leader, other, secadmin, sysadmin)


@pytest.fixture
def start(org: Org) -> Any:
    """start(**data) → a running test.simple instance started by the clerk."""
    from tongban.workflow import services as wf

    counter = {"n": 0}

    def _start(key: str = "test.simple", urgency: str = "", **data: Any) -> Any:
        counter["n"] += 1
        return wf.instance_start(
            key=key,
            subject_type="test.subject",
            subject_id=counter["n"],
            title=f"关于测试事项的请示{counter['n']}",
            actor=org.clerk,
            unit=org.gov,
            data=data,
            urgency=urgency,
        )

    return _start
