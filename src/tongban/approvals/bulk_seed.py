"""Bulk demo cases: N realistic 办件 over the published catalogue (``manage.py seed_cases N``,
``manage.py seed_demo --cases N``), for the benchmarks (1,000,000 cases) and a hall that feels used.

What is written, per case:

- the :class:`Case` row — a real 受理编号 in the county's daily series (``<county><yyyymmdd><serial>``;
  the :class:`TrackingCounter` rows move on, so later numbering stays gapless), an applicant from a
  name generator (valid 公民身份号码 / 统一社会信用代码 check characters) or one of the public
  accounts (the demo accounts get a few hundred each, generated accounts a few each), the item's
  current version and implementing unit, a form filled from the version's form schema;
- its :class:`CaseEvent` rows in a lawful order (收件 → [补正告知 → 补正] → 受理 or 视为受理 →
  环节 → [挂起 → 恢复] → [延期] → 决定 → [制证送达] → 办结; 不予受理; 撤回), dated on the
  working-day calendar, never after now;
- the clock cache columns, computed by :func:`tongban.approvals.clock.compute` from those very
  events and copied by :func:`tongban.approvals.clock.apply` — exactly what ``refresh_case`` would
  store — and the light the sweep would show today (:func:`tongban.approvals.clock.light_on`);
- the :class:`SupplementRequest` and :class:`ExtensionRequest` rows the events refer to.

About 10 % of the cases are open, in every state (待受理, 待补正, 办理中, 挂起, 已决定待制证),
received recently enough for their state (a case waiting for acceptance is inside its 5-day
window, 第三十二条); a few are over their committed limit (预警/黄牌/红牌). The rest are closed and
spread over three years. Rows are written with COPY on PostgreSQL (executemany elsewhere), one
transaction per batch, with a progress bar. Notices, uploaded files and certificates are not made
(the benchmarks do not need them; a real case gets them from the handling services).

This is demo data written directly to the tables (no services, no audit rows, no alerts): run it
only on a demo or benchmark database."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from tongban.approvals import clock
from tongban.approvals.models import (
    ApplicantKind,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    ClockState,
    Decision,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    ItemStatus,
    ItemStep,
    ItemVersion,
    PauseReason,
    RejectReason,
    ServiceItem,
    SupplementRequest,
    TrackingCounter,
    VersionStatus,
)
from tongban.core import clock as core_clock
from tongban.core.bulk import allocate_ids as _allocate_ids
from tongban.core.bulk import write_rows as _write_rows
from tongban.core.calendar import add_workdays, is_workday
from tongban.core.progress import Progress
from tongban.identity.models import PublicAccount, PublicAccountKind
from tongban.orgs.demo import GIVEN, MOBILE_PREFIXES, SURNAMES
from tongban.orgs.models import BusinessRole, County, Post, RoleGrant, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEARS = 3  # closed cases are spread over the last three years
OPEN_SHARE = 0.10

# The states a planned case ends in, and their shares (open ones: of the open cases; closed
# ones: of the closed cases).
C_GRANT, C_REFUSE, C_REJECT, C_WITHDRAW = 0, 1, 2, 3
O_SUBMITTED, O_SUPPLEMENT, O_RUNNING, O_PAUSED, O_DECIDED = 8, 9, 10, 11, 12
CLOSED_MIX = [(C_GRANT, 88), (C_REFUSE, 4), (C_REJECT, 6), (C_WITHDRAW, 2)]
OPEN_MIX = [(O_SUBMITTED, 8), (O_SUPPLEMENT, 5), (O_RUNNING, 64), (O_PAUSED, 9), (O_DECIDED, 14)]

PAUSE_REASONS = [
    (PauseReason.TESTING, 30),
    (PauseReason.INSPECTION, 20),
    (PauseReason.EXPERT_REVIEW, 20),
    (PauseReason.APPRAISAL, 10),
    (PauseReason.HEARING, 8),
    (PauseReason.QUARANTINE, 6),
    (PauseReason.TENDER, 4),
    (PauseReason.AUCTION, 2),
]
REJECT_TEXTS = {
    RejectReason.NOT_ELIGIBLE: "申请人不符合该事项规定的申请主体资格。",
    RejectReason.NOT_COMPETENT: "该事项由市级主管部门负责实施，请向市级部门提出申请。",
    RejectReason.NOT_SUPPLEMENTED: "申请人逾期未按补正告知书的要求补正全部材料。",
    RejectReason.NOT_NEEDED: "申请事项依法不需要取得行政许可。",
}
SUPPLEMENT_TEXTS = [
    "营业执照复印件不清晰，请重新提交加盖公章的复印件。",
    "申请书未签字，请由法定代表人签字后重新提交。",
    "缺少经营场所使用证明（产权证明或租赁合同）。",
    "身份证明已过有效期，请提交有效身份证件。",
    "平面布局图未标明功能分区，请补充完整。",
]
REFUSE_TEXT = "经审查，申请人不符合法定条件：现场核查发现经营场所与申请材料不一致。"
EXTEND_REASONS = [
    "需组织现场核查，且涉及多个部门会商，经单位负责人批准延长审批期限。",
    "申请事项情况复杂，需进一步调查核实，经单位负责人批准延长审批期限。",
]
ROADS = [
    "人民路",
    "解放路",
    "建设路",
    "新华街",
    "青山大道",
    "滨江路",
    "文化路",
    "朝阳路",
    "工业大道",
    "府前街",
]
TOWNS = ["城关镇", "青溪镇", "石门镇", "白沙镇", "龙泉乡", "桃源乡", "马岭镇", "双河镇", "凤山乡", "杉木乡"]
SHOP_WORDS = [
    "好味", "鑫源", "福满", "兴旺", "恒达", "惠民", "青禾", "山泉", "瑞丰", "佳和", "顺达", "宏图",
    "金穗", "绿源", "明辉", "康宁", "华泰", "永盛", "天成", "嘉禾",
]  # fmt: skip
SHOP_KINDS = ["餐饮", "商贸", "农业科技", "建材", "物流", "食品", "家政服务", "建筑工程", "电子商务", "养殖"]
SHOP_FORMS = ["有限公司", "有限公司", "有限责任公司", "农民专业合作社", "个体工商户"]
DEMO_PERSON_SHARE = 5_000  # a demo person gets one case in this many (200 of 1,000,000)
DEMO_ENTERPRISE_SHARE = 1_000  # a demo enterprise one in this many (1,000 of 1,000,000)
ACCOUNT_SHARE = 0.55  # cases filed from a (generated) public account; the rest at the counter or anonymous


# 公民身份号码 (GB 11643-1999): ISO 7064 MOD 11-2 check character.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# 统一社会信用代码 (GB 32100-2015): 31 characters, check C18 = 31 − (Σ Cᵢ·Wᵢ mod 31), 31 → 0.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def uscc_check_char(first17: str) -> str:
    r = 31 - sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True)) % 31
    return USCC_CHARSET[0 if r == 31 else r]


@dataclass
class SeedResult:
    created: int
    seconds: float
    rows: dict[str, int]


@dataclass
class ItemPlan:
    """One published item as the seeder uses it (plain values, read once)."""

    item_id: int
    version_id: int
    unit_id: int
    name: str
    statutory: int
    committed: int
    certificate: bool
    steps: list[tuple[str, str, int, bool]]  # key, name, limit, counts
    form_schema: list[dict[str, Any]]
    limits: clock.Limits


@dataclass
class People:
    """Who acts on a unit's cases: its handlers and its head (user id, name)."""

    handlers: list[tuple[int, str]]
    leader: tuple[int, str] | None


@dataclass
class Applicant:
    kind: str
    name: str
    id_number: str
    phone: str
    contact_name: str
    address: str
    account_id: int | None


@dataclass
class Built:
    """One case being written (plain values; the rows are built from these)."""

    pk: int = 0
    received_at: dt.datetime | None = None
    plan: ItemPlan | None = None
    applicant: Applicant | None = None
    channel: str = Channel.ONLINE
    filed_by: int | None = None
    status: str = CaseStatus.SUBMITTED
    is_open: bool = True
    decision: str = ""
    completed_at: dt.datetime | None = None
    handler_id: int | None = None
    current_step: str = ""
    events: list[tuple[str, dt.datetime, dict[str, Any], int | None, str]] = field(default_factory=list)
    cache: Any = None
    light: str = ""
    light_since: dt.datetime | None = None
    tracking_no: str = ""
    form_json: str = "{}"
    supplements: list[tuple[dt.datetime, int | None, str, dt.datetime | None, dict[str, Any]]] = field(
        default_factory=list
    )
    extensions: list[tuple[int, str, dt.datetime, int | None, dt.datetime, int | None, dict[str, Any]]] = (
        field(default_factory=list)
    )


# --- what there is to seed over -------------------------------------------------------------


def county_for_seeding(county: County | None = None) -> County:
    """The county to seed: the demo county (or the first one)."""
    if county is not None:
        return county
    from tongban.orgs import demo

    found = County.objects.filter(code=demo.COUNTY_CODE).first() or County.objects.order_by("id").first()
    if found is None:
        raise RuntimeError("尚未建立县的组织机构，请先运行 manage.py seed_demo。")
    return found


def _catalogue(county: County) -> list[ItemPlan]:
    """The county's published items with their current versions and steps; a small catalogue of
    our own when none is published yet (the demo catalogue is seeded by seed_demo first)."""
    rows = list(
        ServiceItem.objects.filter(county=county, status=ItemStatus.PUBLISHED, current__isnull=False)
        .select_related("current")
        .order_by("id")
    )
    if not rows:
        rows = _fallback_catalogue(county)
    steps: dict[int, list[tuple[str, str, int, bool]]] = {}
    for vid, key, name, limit, counts in (
        ItemStep.objects.filter(version_id__in=[r.current_id for r in rows])
        .order_by("version_id", "sort", "id")
        .values_list("version_id", "key", "name", "limit", "counts")
    ):
        steps.setdefault(vid, []).append((key, name, limit, counts))
    pol = clock.policy()
    plans = []
    for r in rows:
        v = r.current
        assert v is not None
        plans.append(
            ItemPlan(
                item_id=r.pk,
                version_id=v.pk,
                unit_id=v.implementing_unit_id,
                name=v.name,
                statutory=v.statutory_limit,
                committed=v.committed_limit,
                certificate=bool(v.certificate_name),
                steps=steps.get(v.pk, []),
                form_schema=[f for f in (v.form_schema or []) if isinstance(f, dict) and f.get("key")],
                limits=clock.Limits(
                    statutory=v.statutory_limit,
                    committed=v.committed_limit,
                    certificate=bool(v.certificate_name),
                    warn_days=pol.warn_days,
                    rectify_days=pol.rectify_days,
                ),
            )
        )
    return plans


FALLBACK_ITEMS = [
    # name, statutory, committed, certificate, legal basis
    ("食品经营许可（新办）", 20, 10, "食品经营许可证", "《中华人民共和国食品安全法》第三十五条"),
    ("个体工商户设立登记", 15, 3, "营业执照", "《促进个体工商户发展条例》第八条"),
    ("建设工程规划许可", 20, 12, "建设工程规划许可证", "《中华人民共和国城乡规划法》第四十条"),
    ("公共场所卫生许可", 20, 8, "卫生许可证", "《公共场所卫生管理条例》第八条"),
    ("户外广告设置审批", 20, 5, "", "《城市市容和环境卫生管理条例》第十一条"),
]


def _fallback_catalogue(county: County) -> list[ServiceItem]:
    """A few published items in the county's first units, when nothing is published yet."""
    units = list(Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")[:5])
    if not units:
        raise RuntimeError("县里没有单位，无法生成办件；请先运行 manage.py seed_demo。")
    made = []
    for i, (name, statutory, committed, cert, basis) in enumerate(FALLBACK_ITEMS):
        unit = units[i % len(units)]
        code = f"{county.code}-SEED-{i + 1:03d}"
        item = ServiceItem.objects.filter(county=county, code=code).first()
        if item is None:
            item = ServiceItem.objects.create(
                county=county, code=code, department=unit, status=ItemStatus.PUBLISHED, name=name,
                item_type="license", variant="new", search_text=name,
            )  # fmt: skip
        if item.current_id is None:
            v = ItemVersion.objects.create(
                item=item, number=1, status=VersionStatus.PUBLISHED, name=name, item_type="license",
                implementing_unit=unit, legal_basis=basis, conditions="符合法定条件。",
                place=f"{county.name}政务服务中心", hours="工作日 8:30–12:00，14:30–17:30",
                statutory_limit=statutory, committed_limit=committed, certificate_name=cert,
                certificate_valid_years=5 if cert else None, published_at=timezone.now(),
                form_schema=[{"key": "business_name", "label": "经营者名称", "type": "text", "required": True}],
            )  # fmt: skip
            review = max(1, committed // 2)
            for j, (key, sname, limit, counts) in enumerate(
                [("review", "审查", review, True), ("decide", "决定", committed - review or 1, True)]
                + ([("certify", "制证送达", 10, False)] if cert else [])
            ):
                ItemStep.objects.create(version=v, key=key, name=sname, limit=limit, counts=counts, sort=j)
            item.current = v
            item.status = ItemStatus.PUBLISHED
            item.save(update_fields=["current", "status"])
        made.append(item)
    return list(ServiceItem.objects.filter(pk__in=[m.pk for m in made]).select_related("current"))


def _people(county: County, unit_ids: set[int]) -> tuple[dict[int, People], list[tuple[int, str]]]:
    """Each unit's case handlers (or, lacking any, a few of its staff) and head; the window clerks."""
    handlers: dict[int, list[tuple[int, str]]] = {}
    leaders: dict[int, tuple[int, str]] = {}
    window: list[tuple[int, str]] = []
    for unit_id, role, user_id, name in (
        RoleGrant.objects.filter(county=county, user__is_active=True)
        .filter(role__in=[BusinessRole.CASE_HANDLER, BusinessRole.UNIT_LEADER, BusinessRole.WINDOW_CLERK])
        .order_by("id")
        .values_list("unit_id", "role", "user_id", "user__full_name")
    ):
        if role == BusinessRole.CASE_HANDLER:
            handlers.setdefault(unit_id, []).append((user_id, name))
        elif role == BusinessRole.UNIT_LEADER:
            leaders.setdefault(unit_id, (user_id, name))
        else:
            window.append((user_id, name))
    staff: dict[int, list[tuple[int, str]]] = {}
    for unit_id, user_id, name in (
        Post.objects.filter(county=county, unit_id__in=unit_ids, user__is_active=True)
        .order_by("unit_id", "id")
        .values_list("unit_id", "user_id", "user__full_name")
    ):
        staff.setdefault(unit_id, []).append((user_id, name))
    people = {}
    for unit_id in unit_ids:
        own = handlers.get(unit_id) or staff.get(unit_id, [])[1:4] or staff.get(unit_id, [])[:1]
        head = leaders.get(unit_id) or (staff[unit_id][0] if staff.get(unit_id) else None)
        people[unit_id] = People(handlers=own, leader=head)
    return people, window


# --- applicants --------------------------------------------------------------------------------


class Applicants:
    """Names, identity numbers, credit codes, phones and addresses — unique where the database
    says so, valid where a check character says so."""

    def __init__(self, rnd: random.Random, county: County) -> None:
        self.rnd = rnd
        self.division = county.code if len(county.code) == 6 and county.code.isdigit() else "361199"
        self.surname_weights = [max(1, 40 - i // 3) for i in range(len(SURNAMES))]
        self.cum_surname = list(_cumulative(self.surname_weights))
        self.given_single = list(dict.fromkeys(GIVEN))
        self.given_double = list(dict.fromkeys(GIVEN[i : i + 2] for i in range(0, len(GIVEN) - 1, 2)))
        self.phones: set[str] = set()
        self.codes: set[str] = set()

    def name(self) -> str:
        rnd = self.rnd
        surname = rnd.choices(SURNAMES, cum_weights=self.cum_surname, k=1)[0]
        roll = rnd.random()
        if roll < 0.25:
            return surname + rnd.choice(self.given_single)
        if roll < 0.89:
            return surname + rnd.choice(self.given_double)
        return surname + rnd.choice(self.given_single) + rnd.choice(self.given_single)

    def id_number(self) -> str:
        rnd = self.rnd
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(20_000))
        first = f"{self.division}{born:%Y%m%d}{rnd.randrange(1000):03d}"
        return first + id_check_char(first)

    def phone(self) -> str:
        while True:
            p = self.rnd.choice(MOBILE_PREFIXES) + f"{self.rnd.randrange(10**8):08d}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def credit_code(self) -> str:
        rnd = self.rnd
        while True:
            # 登记管理部门 9 (市场监管) + 类别 1 企业 / 2 个体工商户, the division, a 9-character organisation code
            org = "".join(rnd.choice(USCC_CHARSET) for _ in range(7))
            first = (
                f"92{self.division}{org}{rnd.randrange(100):02d}"
                if rnd.random() < 0.3
                else f"91{self.division}MA{org}"
            )
            code = first + uscc_check_char(first)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def enterprise_name(self, county_name: str) -> str:
        rnd = self.rnd
        form = rnd.choice(SHOP_FORMS)
        if form == "个体工商户":
            return f"{county_name}{rnd.choice(TOWNS)}{rnd.choice(SHOP_WORDS)}{rnd.choice(SHOP_KINDS)}店"
        return f"{county_name}{rnd.choice(SHOP_WORDS)}{rnd.choice(SHOP_KINDS)}{form}"

    def address(self, county_name: str) -> str:
        rnd = self.rnd
        if rnd.random() < 0.6:
            return f"{county_name}城关镇{rnd.choice(ROADS)}{rnd.randint(1, 399)}号"
        return f"{county_name}{rnd.choice(TOWNS)}{rnd.choice(['上', '下', '东', '西', '新'])}村{rnd.randint(1, 12)}组"

    def fresh(self, county_name: str, *, enterprise: bool) -> Applicant:
        if enterprise:
            return Applicant(
                ApplicantKind.ENTERPRISE, self.enterprise_name(county_name), self.credit_code(),
                self.phone(), self.name(), self.address(county_name), None,
            )  # fmt: skip
        return Applicant(
            ApplicantKind.PERSON, self.name(), self.id_number(), self.phone(), "",
            self.address(county_name), None,
        )  # fmt: skip


def _cumulative(weights: list[int] | list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _accounts(
    county: County, apps: Applicants, n_new: int, rows: dict[str, int]
) -> tuple[list[Applicant], list[Applicant]]:
    """The public accounts cases are filed from: the existing ones that can log in (the demo
    accounts) and a pool of generated ones (no usable password), ``n_new`` more of them."""
    apps.phones.update(PublicAccount.objects.values_list("phone", flat=True))
    apps.codes.update(PublicAccount.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    fresh = []
    unusable = make_password(None)
    for i in range(n_new):
        a = apps.fresh(county.name, enterprise=i % 7 == 0)
        fresh.append(
            PublicAccount(
                kind=PublicAccountKind.ENTERPRISE
                if a.kind == ApplicantKind.ENTERPRISE
                else PublicAccountKind.PERSON,
                phone=a.phone,
                credit_code=a.id_number if a.kind == ApplicantKind.ENTERPRISE else "",
                name=a.name,
                id_number="" if a.kind == ApplicantKind.ENTERPRISE else a.id_number,
                contact_name=a.contact_name,
                password=unusable,
                phone_verified_at=timezone.now(),
            )
        )
    PublicAccount.objects.bulk_create(fresh, batch_size=2000)
    rows["accounts"] += len(fresh)
    demo: list[Applicant] = []
    pool: list[Applicant] = []
    for pk, kind, phone, code, name, id_number, contact, password in PublicAccount.objects.filter(
        is_active=True
    ).values_list("pk", "kind", "phone", "credit_code", "name", "id_number", "contact_name", "password"):
        enterprise = kind == PublicAccountKind.ENTERPRISE
        a = Applicant(
            ApplicantKind.ENTERPRISE if enterprise else ApplicantKind.PERSON,
            name,
            code if enterprise else (id_number or apps.id_number()),
            phone,
            contact,
            apps.address(county.name),
            pk,
        )
        (pool if password.startswith("!") else demo).append(a)
    return demo, pool


# --- one case's life ---------------------------------------------------------------------------


class Timeline:
    """The events of one case, in order, each dated on the working-day calendar and never after now."""

    def __init__(self, rnd: random.Random, received_at: dt.datetime, now: dt.datetime) -> None:
        self.rnd = rnd
        self.now = now
        self.today = now.astimezone(SHANGHAI).date()
        self.at = received_at
        self.events: list[tuple[str, dt.datetime, dict[str, Any], int | None, str]] = []

    @property
    def on(self) -> dt.date:
        return self.at.astimezone(SHANGHAI).date()

    def day_after(self, lo: int, hi: int, *, base: dt.date | None = None) -> dt.date:
        """A working day ``lo``..``hi`` working days after ``base`` (the last event's day), not after today."""
        n = self.rnd.randint(lo, hi)
        d = add_workdays(base or self.on, n) if n else (base or self.on)
        return min(d, self.today)

    def add(
        self,
        kind: str,
        day: dt.date | None = None,
        data: dict[str, Any] | None = None,
        actor: tuple[int, str] | None = None,
        actor_name: str = "",
    ) -> dt.datetime:
        day = max(min(day or self.on, self.today), self.on)
        if day == self.on:
            room = max(1.0, min((self.now - self.at).total_seconds(), 3 * 3600))
            at = self.at + dt.timedelta(seconds=1 + self.rnd.random() * room * 0.5)
        else:
            minutes = self.rnd.randint(8 * 60 + 30, 17 * 60 + 20)
            at = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=SHANGHAI)
        if at > self.now:
            at = self.at + (self.now - self.at) * (0.5 + 0.5 * self.rnd.random())
        if at <= self.at and self.events:
            at = self.at + dt.timedelta(microseconds=1000)
        self.at = at
        self.events.append(
            (kind, at, data or {}, actor[0] if actor else None, actor[1] if actor else actor_name)
        )
        return at


def _received_at(rnd: random.Random, day: dt.date, now: dt.datetime) -> dt.datetime:
    if is_workday(day) and rnd.random() < 0.85:
        minutes = rnd.randint(8 * 60 + 30, 17 * 60 + 20)
    else:  # online, in the evening or on a day off
        minutes = rnd.randint(7 * 60, 22 * 60 + 50)
    at = dt.datetime(
        day.year, day.month, day.day, minutes // 60, minutes % 60, rnd.randint(0, 59), tzinfo=SHANGHAI
    )
    if at >= now:
        start = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        at = start + (now - start) * rnd.random()
    return at


def _step_data(step: tuple[str, str, int, bool]) -> dict[str, Any]:
    key, name, limit, counts = step
    return {"key": key, "name": name, "limit": limit, "counts": counts}


def _live(b: Built, plan: ItemPlan, state: int, t: Timeline, people: People, rnd: random.Random) -> None:
    """The events of a case ending in ``state`` (the received event is already there)."""
    a = b.applicant
    assert a is not None
    handler = rnd.choice(people.handlers) if people.handlers else None
    leader = people.leader or handler
    b.handler_id = handler[0] if handler else None
    counted = [s for s in plan.steps if s[3]]
    certify = [s for s in plan.steps if not s[3]]
    full = state in (C_GRANT, C_REFUSE)

    def supplement(max_gap: int) -> None:
        text = rnd.choice(SUPPLEMENT_TEXTS)
        data: dict[str, Any] = {"items_text": text, "materials": [], "late": False, "second": False}
        asked = t.add(EventKind.SUPPLEMENT_REQUESTED, t.day_after(0, max_gap), data, handler)
        answered = None
        if state != O_SUPPLEMENT:
            answered = t.add(EventKind.SUPPLEMENTED, t.day_after(1, 6), {}, None, a.name)
        # the SupplementRequest row; its id goes into the event's data when written
        b.supplements.append((asked, handler[0] if handler else None, text, answered, data))

    # 受理审查 (第三十二条)
    if state == O_SUBMITTED:
        if rnd.random() < 0.12 and t.on < t.today:
            supplement(1)
        return
    if state == O_SUPPLEMENT:
        supplement(4)
        b.status = CaseStatus.SUPPLEMENT
        return
    if rnd.random() < (0.12 if full or state != C_REJECT else 0.5):
        supplement(3)
    if state == C_REJECT:
        reason = rnd.choice(list(REJECT_TEXTS))
        t.add(
            EventKind.REJECTED,
            t.day_after(0, 3),
            {"reason": str(reason), "reason_label": str(reason.label), "text": REJECT_TEXTS[reason]},
            handler,
        )
        b.status, b.is_open, b.completed_at = CaseStatus.REJECTED, False, t.at
        return
    if state != C_WITHDRAW and rnd.random() < 0.03 and t.today > add_workdays(t.on, clock.ACCEPTANCE_WINDOW):
        # nobody decided within the window: deemed accepted as of its first day (第三十二条)
        window_start = t.on
        due = add_workdays(window_start, clock.ACCEPTANCE_WINDOW)
        t.add(
            EventKind.DEEMED_ACCEPTED, add_workdays(due, 1), {"as_of": window_start.isoformat()}, None, "系统"
        )
    else:
        t.add(EventKind.ACCEPTED, t.day_after(0, 2), {}, handler)
    accepted_day = t.on
    b.status = CaseStatus.ACCEPTED
    if state == C_WITHDRAW:
        t.add(EventKind.WITHDRAWN, t.day_after(1, 4), {}, None, a.name)
        b.status, b.is_open, b.completed_at = CaseStatus.WITHDRAWN, False, t.at
        return

    budget = plan.committed
    # The counted steps one after another (open cases only: a closed case keeps its decision,
    # not its steps, to keep seeding time sane). An open case stops in one of them.
    open_steps: list[tuple[str, str, int, bool]] = []
    if not full and counted:
        last = len(counted) - 1
        # a paused case is paused in one of its steps; a running one is in the step whose work
        # reaches today (the last one if all could be done); a decided one completes them all
        pause_in = rnd.randint(0, last) if state == O_PAUSED else -1
        late = state == O_RUNNING and rnd.random() < 0.04  # a step over its own limit
        for i, step in enumerate(counted):
            t.add(EventKind.STEP_STARTED, t.on, _step_data(step), handler)
            if i == pause_in or (state == O_DECIDED and i == last):
                open_steps.append(step)
                break
            gap = step[2] + rnd.randint(1, 3) if late else rnd.randint(0, max(0, step[2] - 1))
            finish = add_workdays(t.on, gap) if gap else t.on
            if state == O_RUNNING and (finish > t.today or i == last):
                open_steps.append(step)
                break
            t.add(EventKind.STEP_COMPLETED, finish, {"key": step[0]}, handler)
    b.current_step = open_steps[0][0] if open_steps else ""

    # 挂起 (第四十五条): the paused ones stay paused; a few others paused and resumed
    if state == O_PAUSED or (state != O_DECIDED and rnd.random() < (0.06 if full else 0.1)):
        pause = rnd.choices([r for r, _w in PAUSE_REASONS], [w for _r, w in PAUSE_REASONS])[0]
        expected = rnd.choice([5, 10, 15, 20, 30])
        t.add(
            EventKind.PAUSED,
            t.day_after(0, 2),
            {"reason": str(pause), "reason_label": str(pause.label), "expected_days": expected},
            handler,
        )
        if state == O_PAUSED:
            b.status = CaseStatus.PAUSED
            return
        t.add(EventKind.RESUMED, t.day_after(max(1, expected - 4), expected + 6), {}, handler)
    # 延期 (第四十二条): once, approved by the head
    if rnd.random() < (0.03 if full else 0.06):
        days = rnd.choice([5, 10]) if not plan.limits.statutory > 30 else 15
        why = rnd.choice(EXTEND_REASONS)
        ext_data: dict[str, Any] = {"days": days, "reason": why}
        asked = t.add(EventKind.EXTENDED, t.day_after(0, 1), ext_data, leader)
        b.extensions.append(
            (
                days,
                why,
                asked,
                handler[0] if handler else None,
                asked,
                leader[0] if leader else None,
                ext_data,
            )
        )
    if state == O_RUNNING:
        return

    # 决定 (第四十二条): closed cases decide within their committed limit (mostly)
    if full:
        used = rnd.randint(max(1, budget // 3), budget) if rnd.random() < 0.95 else budget + rnd.randint(1, 5)
        decide_day = min(t.today, max(t.on, add_workdays(accepted_day, used)))
    else:  # awaiting the certificate: decided lately (a few are over the 10 days of 第四十四条)
        back = rnd.randint(0, 8) if rnd.random() < 0.95 else rnd.randint(11, 14)
        decide_day = max(t.on, add_workdays(t.today, -back))
    grant = state != C_REFUSE
    decision = Decision.GRANT if grant else Decision.REFUSE
    decided: dict[str, Any] = {"decision": str(decision), "decision_label": str(decision.label)}
    if not grant:
        decided["reasons"] = REFUSE_TEXT
    t.add(EventKind.DECIDED, decide_day, decided, leader or handler)
    b.decision = decision
    if state == O_DECIDED:
        for step in open_steps:
            t.add(EventKind.STEP_COMPLETED, t.on, {"key": step[0]}, handler)
        for step in certify[:1]:
            t.add(EventKind.STEP_STARTED, t.on, _step_data(step), handler)
            b.current_step = step[0]
        b.status = CaseStatus.DECIDED
        return
    # 制证送达 (第四十四条) and 办结
    if grant and plan.certificate:
        t.add(EventKind.CERTIFICATE_ISSUED, t.day_after(0, 6 if rnd.random() < 0.97 else 12), {}, handler)
    t.add(EventKind.COMPLETED, t.on, {}, handler)
    b.status, b.is_open, b.completed_at = CaseStatus.COMPLETED, False, t.at


def _received_day(rnd: random.Random, state: int, today: dt.date, first: dt.date, plan: ItemPlan) -> dt.date:
    """When a case ending in ``state`` was received, so that it can be in that state today."""
    if state == O_SUBMITTED:  # inside its acceptance window (第三十二条): 0..4 working days ago
        return add_workdays(today, -rnd.choices([0, 1, 2, 3, 4], [30, 30, 20, 12, 8])[0])
    if state == O_SUPPLEMENT:
        return add_workdays(today, -rnd.randint(1, 40))
    if state == O_RUNNING:
        span = max(2, plan.committed + 2)
        back = rnd.randint(0, span) if rnd.random() < 0.95 else rnd.randint(span, span + 8)
        return add_workdays(today, -max(1, back))
    if state == O_PAUSED:
        return add_workdays(today, -rnd.randint(3, 90))
    if state == O_DECIDED:
        return add_workdays(today, -rnd.randint(plan.committed // 2 + 2, plan.committed + 14))
    # closed: anywhere in the three years, a little more lately
    span = (today - first).days - 30
    day = first + dt.timedelta(days=int(span * (rnd.random() ** 0.85)))
    if not is_workday(day) and rnd.random() < 0.8:
        day = add_workdays(day, 1)
    return min(day, today - dt.timedelta(days=30))


def _form(plan: ItemPlan, a: Applicant, day: dt.date, rnd: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in plan.form_schema:
        key, label, kind = str(f.get("key")), str(f.get("label", "")), f.get("type", "text")
        if kind == "select" and f.get("choices"):
            out[key] = rnd.choice(list(f["choices"]))
        elif kind == "date":
            out[key] = day.isoformat()
        elif kind == "number":
            out[key] = str(rnd.randint(1, 500))
        elif any(w in label or w in key for w in ("地址", "场所", "住所", "address", "place")):
            out[key] = a.address
        elif any(w in label or w in key for w in ("名称", "姓名", "name")):
            out[key] = a.name
        elif any(w in label or w in key for w in ("电话", "phone")):
            out[key] = a.phone
        elif kind == "textarea":
            out[key] = f"按{plan.name}办事指南要求申请。"
        else:
            out[key] = f"{label}（{a.name}）" if label else a.name
    return out


# --- writing -----------------------------------------------------------------------------------


CASE_COLUMNS = (
    "id", "county", "tracking_no", "item", "version", "unit", "account", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "contact_name", "applicant_address", "title", "form_data",
    "channel", "filed_by", "status", "is_open", "received_at", "decision", "completed_at", "handler",
    "current_step", "clock_state", "received_on", "accepted_on", "deemed_accepted", "decided_on",
    "preaccept_due", "due_committed", "due_statutory", "cert_due", "paused_days", "extension_days", "due_on",
    "warn_on", "yellow_on", "red_on", "clock_version", "light", "light_since", "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("case", "seq", "kind", "at", "on", "actor", "actor_name", "data")


def _counters(county: County, days: set[dt.date]) -> dict[dt.date, TrackingCounter]:
    """The tracking-number counters of the batch's days, locked (SELECT … FOR UPDATE)."""
    keys = {f"case:{d:%Y%m%d}": d for d in days}
    have = set(TrackingCounter.objects.filter(county=county, key__in=keys).values_list("key", flat=True))
    TrackingCounter.objects.bulk_create(
        [TrackingCounter(county=county, key=k) for k in keys if k not in have], ignore_conflicts=True
    )
    return {
        keys[c.key]: c
        for c in TrackingCounter.objects.select_for_update().filter(county=county, key__in=keys)
    }


def _light(
    cache: Any, today: dt.date, state: str, events: list[clock.Ev], limits: clock.Limits
) -> tuple[str, dt.date | None]:
    """The light the sweep shows today (rules.md §4), and the day it came on. A paused case keeps
    the light it had when the pause began: it has no running deadline (第四十五条)."""
    if state == ClockState.PAUSED:
        pause_day = events[-1].on
        before = clock.compute(events[:-1], limits, pause_day)
        light = before.light(pause_day)
        return light, _since(light, before.warn_on, before.yellow_on, before.red_on)
    light = clock.light_on(cache.due_on, cache.warn_on, cache.yellow_on, cache.red_on, today, state)
    return light, _since(light, cache.warn_on, cache.yellow_on, cache.red_on)


def _since(light: str, warn: dt.date | None, yellow: dt.date | None, red: dt.date | None) -> dt.date | None:
    return {"warning": warn, "yellow": yellow, "red": red}.get(light)


def seed_cases(
    n: int,
    *,
    county: County | None = None,
    stdout: TextIO | None = None,
    batch_size: int = 5000,
    seed: int = 2026,
    open_share: float = OPEN_SHARE,
) -> SeedResult:
    """Create ``n`` more cases in ``county`` (the demo county by default); see the module docstring."""
    started = time.perf_counter()
    county = county_for_seeding(county)
    rows = {"cases": 0, "open": 0, "events": 0, "accounts": 0, "supplements": 0, "extensions": 0}
    if n <= 0:
        return SeedResult(0, 0.0, rows)
    existing = Case.objects.filter(county=county).count()
    rnd = random.Random(seed * 1_000_003 + existing)
    now = core_clock.now()
    today = now.astimezone(SHANGHAI).date()
    first = today.replace(year=today.year - YEARS) + dt.timedelta(days=1)
    catalogue = _catalogue(county)
    people, window = _people(county, {p.unit_id for p in catalogue})
    apps = Applicants(rnd, county)
    with transaction.atomic():
        demo_accounts, pool = _accounts(county, apps, max(10, n // 20), rows)

    # Popular items get most cases (a Zipf-like tail), the demo handler's unit more than most.
    busy_units = set(
        RoleGrant.objects.filter(
            county=county, role=BusinessRole.CASE_HANDLER, user__username="handler"
        ).values_list("unit_id", flat=True)
    )
    order = list(range(len(catalogue)))
    rnd.shuffle(order)
    weights = [0.0] * len(catalogue)
    for rank, i in enumerate(order):
        weights[i] = (1.0 / (rank + 1) ** 0.7) * (6.0 if catalogue[i].unit_id in busy_units else 1.0)
    cum_items = list(_cumulative(weights))
    with_cert = [i for i, p in enumerate(catalogue) if p.certificate]
    closed_states, closed_w = zip(*CLOSED_MIX, strict=True)
    open_states, open_w = zip(*OPEN_MIX, strict=True)

    # Plan every case first (received day, state, item), in date order: serials rise with time
    # and a batch touches only a few days' counters.
    plan: list[tuple[int, int, int]] = []
    n_open = round(n * open_share)
    indices = range(len(catalogue))
    for k in range(n):
        idx = rnd.choices(indices, cum_weights=cum_items, k=1)[0]
        if k < n_open:
            state = rnd.choices(open_states, open_w)[0]
            if state == O_DECIDED and not catalogue[idx].certificate:
                if with_cert:
                    idx = rnd.choice(with_cert)
                else:
                    state = O_RUNNING
        else:
            state = rnd.choices(closed_states, closed_w)[0]
        day = _received_day(rnd, state, today, first, catalogue[idx])
        plan.append((day.toordinal(), state, idx))
    plan.sort()

    demo_person = [a for a in demo_accounts if a.kind == ApplicantKind.PERSON]
    demo_enterprise = [a for a in demo_accounts if a.kind == ApplicantKind.ENTERPRISE]
    p_demo_person = len(demo_person) / DEMO_PERSON_SHARE
    p_demo_enterprise = len(demo_enterprise) / DEMO_ENTERPRISE_SHARE

    def pick() -> Applicant:
        roll = rnd.random()
        if roll < p_demo_person and demo_person:
            return rnd.choice(demo_person)
        if roll < p_demo_person + p_demo_enterprise and demo_enterprise:
            return rnd.choice(demo_enterprise)
        if roll < ACCOUNT_SHARE and pool:
            return rnd.choice(pool)
        return apps.fresh(county.name, enterprise=rnd.random() < 0.3)

    progress = Progress(n, stdout, "办件 ")
    done = 0
    for start in range(0, n, batch_size):
        chunk = plan[start : start + batch_size]
        built: list[Built] = []
        for ordinal, state, idx in chunk:
            built.append(
                _build(ordinal, state, catalogue[idx], apps, county, people, window, now, today, rnd, pick)
            )
        built.sort(key=lambda x: x.received_at)  # type: ignore[arg-type,return-value]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # demo data: do not wait for the WAL flush at each batch's commit
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")
            _write_batch(county, built, now, rows)
        done += len(chunk)
        progress.update(done)
    progress.finish()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Case, CaseEvent, PublicAccount, TrackingCounter):
                cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return SeedResult(n, time.perf_counter() - started, rows)


def _build(
    ordinal: int,
    state: int,
    item: ItemPlan,
    apps: Applicants,
    county: County,
    people: dict[int, People],
    window: list[tuple[int, str]],
    now: dt.datetime,
    today: dt.date,
    rnd: random.Random,
    pick: Any,
) -> Built:
    """One case: its applicant, events, clock cache and light."""
    a: Applicant = pick()
    b = Built(plan=item, applicant=a)
    b.received_at = _received_at(rnd, dt.date.fromordinal(ordinal), now)
    received_by: tuple[int, str] | None = None
    if a.account_id is None and window and rnd.random() < 0.7:  # 窗口代办
        received_by = rnd.choice(window)
        b.channel, b.filed_by = Channel.COUNTER, received_by[0]
    t = Timeline(rnd, b.received_at, now)
    t.events.append(
        (
            EventKind.RECEIVED,
            b.received_at,
            {"channel": str(b.channel)},
            b.filed_by,
            (received_by or (0, a.name))[1],
        )
    )
    _live(b, item, state, t, people.get(item.unit_id) or People([], None), rnd)
    b.events = t.events
    evs = [
        clock.Ev(kind=k, on=at.astimezone(SHANGHAI).date(), data=d, seq=i + 1)
        for i, (k, at, d, _actor, _name) in enumerate(b.events)
    ]
    # the clock cache exactly as clock.refresh_case stores it
    c = clock.compute(evs, item.limits, today)
    cache = SimpleNamespace(received_on=evs[0].on, clock_version=0)
    clock.apply(cache, c)  # type: ignore[arg-type]
    b.cache = cache
    if b.is_open:
        light, since = _light(cache, today, c.state, evs, item.limits)
        b.light = light
        b.light_since = dt.datetime.combine(since, dt.time(0, 5), tzinfo=SHANGHAI) if since else b.received_at
    else:
        b.light = clock.light_on(None, None, None, None, today, c.state)
    b.form_json = json.dumps(_form(item, a, t.today, rnd), ensure_ascii=False)
    return b


def _day(at: dt.datetime | None) -> dt.date:
    assert at is not None
    return at.astimezone(SHANGHAI).date()


def _write_batch(county: County, built: list[Built], now: dt.datetime, rows: dict[str, int]) -> None:
    counters = _counters(county, {_day(b.received_at) for b in built})
    ids = _allocate_ids(Case, len(built))
    case_rows = []
    for b, pk in zip(built, ids, strict=True):
        b.pk = pk
        day = _day(b.received_at)
        counter = counters[day]
        counter.last += 1
        b.tracking_no = f"{county.code}{day:%Y%m%d}{counter.last:05d}"
        p, a, c = b.plan, b.applicant, b.cache
        assert p is not None and a is not None
        case_rows.append(
            (
                pk, county.pk, b.tracking_no, p.item_id, p.version_id, p.unit_id, a.account_id, str(a.kind),
                a.name, a.id_number, a.phone, a.contact_name, a.address, p.name,
                b.form_json, str(b.channel), b.filed_by,
                str(b.status), b.is_open, b.received_at, str(b.decision), b.completed_at, b.handler_id,
                b.current_step, str(c.clock_state), c.received_on, c.accepted_on, c.deemed_accepted, c.decided_on,
                c.preaccept_due, c.due_committed, c.due_statutory, c.cert_due, c.paused_days, c.extension_days,
                c.due_on, c.warn_on, c.yellow_on, c.red_on, c.clock_version, str(b.light), b.light_since,
                b.received_at, b.completed_at or b.events[-1][1],
            )
        )  # fmt: skip
    TrackingCounter.objects.bulk_update(list(counters.values()), ["last"])
    _write_rows(Case, CASE_COLUMNS, case_rows)
    sups = [(b.pk, s) for b in built for s in b.supplements]
    sup_rows = []
    for (case_id, (asked, by, text, answered, data)), pk in zip(
        sups, _allocate_ids(SupplementRequest, len(sups)) if sups else [], strict=True
    ):
        data["request"] = pk
        sup_rows.append((pk, case_id, text, "", asked, by, answered, "已按要求补正。" if answered else ""))
    _write_rows(
        SupplementRequest,
        (
            "id",
            "case",
            "items_text",
            "late_reason",
            "requested_at",
            "requested_by",
            "answered_at",
            "answer_note",
        ),
        sup_rows,
    )
    exts = [(b.pk, e) for b in built for e in b.extensions]
    ext_rows = []
    for (case_id, (days, reason, asked, by, decided, head, data)), pk in zip(
        exts, _allocate_ids(ExtensionRequest, len(exts)) if exts else [], strict=True
    ):
        data["request"] = pk
        ext_rows.append(
            (pk, case_id, days, reason, str(ExtensionStatus.APPROVED), asked, by, decided, head, "同意延期。")
        )
    _write_rows(
        ExtensionRequest,
        ("id", "case", "days", "reason", "status", "requested_at", "requested_by", "decided_at", "decided_by",
         "decision_note"),
        ext_rows,
    )  # fmt: skip
    event_rows = [
        (
            b.pk, seq, str(kind), at, at.astimezone(SHANGHAI).date(), actor, actor_name,
            json.dumps(data, ensure_ascii=False),
        )
        for b in built
        for seq, (kind, at, data, actor, actor_name) in enumerate(b.events, start=1)
    ]  # fmt: skip
    _write_rows(CaseEvent, EVENT_COLUMNS, event_rows)
    sup, ext = sup_rows, ext_rows
    rows["cases"] += len(case_rows)
    rows["open"] += sum(1 for b in built if b.is_open)
    rows["events"] += len(event_rows)
    rows["supplements"] += len(sup)
    rows["extensions"] += len(ext)
