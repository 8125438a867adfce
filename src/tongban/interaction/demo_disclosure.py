"""Demo requests for government information (order 320): about 60 requests over 2025–2026 across
organs, applicant types and outcomes — some with a 补正, some with a third-party consultation, one
extension, a few fees — with consistent events; the dates come from the working-day calendar and
every cache column from :func:`disclosure_clock.refresh`.

Idempotent: a county that already has requests is left alone."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core import clock as tclock
from tongban.core.calendar import add_workdays
from tongban.identity.public_rules import id_check_char, uscc_check_char
from tongban.interaction import disclosure_clock as dclock
from tongban.interaction import disclosure_fees
from tongban.interaction.disclosure_table import REASONS
from tongban.interaction.models import DisclosureEvent, DisclosureRequest
from tongban.orgs.models import County, RoleGrant, Unit

SEED = 320
ORGANS = [
    "政府办",
    "市场监管局",
    "财政局",
    "教体局",
    "住建局",
    "自然资源局",
    "人社局",
    "卫健委",
    "农业农村局",
    "交通运输局",
]
SUBJECTS = [
    "2025年县级财政预算执行情况及明细",
    "某小区建设工程规划许可证及附图",
    "农村土地承包经营权确权登记资料",
    "2025年第三季度食品安全监督抽检结果",
    "县城区道路改造工程招标文件及中标结果",
    "本村集体土地征收补偿安置方案",
    "县中小学学位分配及招生政策文件",
    "2024年度县级部门决算公开表",
    "某企业环境影响评价批复文件",
    "城乡居民医保补助资金使用情况",
    "县第一人民医院新院区立项批复",
    "失业保险金发放标准的文件依据",
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = ["建华", "秀英", "志强", "丽娟", "国平", "海燕", "明", "静", "军", "红梅"]
ORG_NAMES = {
    "business": ["青山县好味餐饮有限公司", "青山县恒通建材有限公司", "青山县绿源农业开发有限公司"],
    "research": ["某大学公共管理学院课题组"],
    "charity": ["青山县扶残助残协会"],
    "legal": ["江西某某律师事务所"],
    "other": ["青山县某业主委员会"],
}


def _id_number(rng: random.Random) -> str:
    first = f"361199{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return first + id_check_char(first)


def _uscc(rng: random.Random) -> str:
    first = "91361199" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return first + uscc_check_char(first)


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def seed(ctx: Any) -> str:
    county = County.objects.order_by("id").first()
    if county is None:
        return "依申请公开：没有县，跳过"
    if DisclosureRequest.objects.filter(county=county).exists():
        return "依申请公开：已有数据，跳过"
    units = {u.short_name: u for u in Unit.objects.filter(county=county, short_name__in=ORGANS)}
    if not units:
        return "依申请公开：没有单位，跳过"
    officers = {
        g.unit_id: g.user
        for g in RoleGrant.objects.filter(county=county, role="disclosure_officer").select_related("user")
    }
    office = next(iter(officers.values()), None)
    rng = random.Random(SEED)
    today = tclock.today()
    start = date(2025, 1, 6)
    span = max(1, (today - start).days)
    made = 0
    with transaction.atomic():
        for i in range(60):
            received = start + timedelta(days=int(span * i / 60) + rng.randint(0, 5))
            received = min(received, today)
            organ = units[rng.choice([s for s in ORGANS if s in units])]
            kind = rng.choices(list(REASON_TYPES), weights=[60, 15, 5, 5, 8, 7])[0]
            made += _one(county, organ, kind, received, today, rng, i, officers.get(organ.pk) or office)
    return f"依申请公开：{made} 件申请"


REASON_TYPES = {"person": 0, "business": 1, "research": 2, "charity": 3, "legal": 4, "other": 5}


def _one(
    county: County,
    organ: Unit,
    kind: str,
    received: date,
    today: date,
    rng: random.Random,
    i: int,
    actor: Any,
) -> int:
    if kind == "person":
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        id_number, contact = _id_number(rng), ""
    else:
        name = rng.choice(ORG_NAMES[kind])
        id_number, contact = _uscc(rng), rng.choice(SURNAMES) + "经理"
    req = DisclosureRequest.objects.create(
        county=county, tracking_code=f"GK{received:%Y%m%d}{9000 + i:05d}", organ=organ, applicant_type=kind,
        name=name, id_type="居民身份证" if kind == "person" else "统一社会信用代码", id_number=id_number,
        contact_name=contact, phone=f"139{rng.randint(10000000, 99999999)}", description=rng.choice(SUBJECTS),
        channel=rng.choice(["online"] * 6 + ["in_person", "mail"]), submitted_at=_at(received),
        received_on=received, clock_start_on=received, status="received",
    )  # fmt: skip
    events: list[tuple[str, date, str, dict[str, Any]]] = [
        ("received", received, "收到政府信息公开申请。", {})
    ]
    d = received
    if (today - received).days < 3:
        return _save(req, events, actor)
    d = add_workdays(received, 1)
    events.append(("note", d, "确认受理，开始办理。", {"action": "confirmed"}))
    req.status = "processing"
    roll = rng.random()
    if roll < 0.12:  # 补正
        ask = add_workdays(received, rng.randint(2, 6))
        events.append(("supplement_asked", ask, "请补充所需信息的文号或形成时间。", {"period": 15}))
        if (today - ask).days < 30 and rng.random() < 0.5:
            req.status = "supplement"
            return _save(req, events, actor)
        reply_due = add_workdays(ask, 15)
        if rng.random() < 0.25 and reply_due < today:
            return _close(
                req, events, actor, add_workdays(reply_due, 1), "supplement_lapsed", "no_supplement"
            )
        d = add_workdays(ask, rng.randint(2, 10))
        events.append(("supplemented", d, "已补充文号和年份。", {"by": "applicant"}))
    elif roll < 0.2:  # consultation
        c0 = add_workdays(d, 3)
        events.append(("consult_started", c0, "书面征求第三方意见。", {"third_party": "相关企业"}))
        d = add_workdays(c0, rng.randint(5, 15))
        events.append(("consult_ended", d, "第三方同意公开。", {}))
    elif roll < 0.25:  # fee
        f0 = add_workdays(d, 4)
        pages = rng.choice([45, 120, 260])
        amount = disclosure_fees.fee_for("page", pages)
        events.append(
            (
                "fee_notice",
                f0,
                f"按量计收信息处理费 {amount} 元。",
                {"method": "page", "count": pages, "amount": str(amount)},
            )
        )
        req.fee_method, req.fee_pages, req.fee_amount = "page", pages, amount
        if rng.random() < 0.3 and add_workdays(f0, 20) < today:
            return _close(req, events, actor, add_workdays(f0, 21), "fee_lapsed", "fee_unpaid")
        d = add_workdays(f0, rng.randint(2, 8))
        events.append(("fee_paid", d, "已缴纳信息处理费。", {}))
        req.fee_paid_at = _at(d)
    if i == 7:  # the one extension
        events.append(
            (
                "extended",
                add_workdays(d, 15),
                "因需调取档案，延长答复期限 20 个工作日。",
                {"days": 20, "reason": "需调取档案"},
            )
        )
        d = add_workdays(d, 15)
    answer_on = add_workdays(d, rng.randint(3, 22 if i != 7 else 35))
    if answer_on >= today:
        return _save(req, events, actor)
    outcome = rng.choices(
        ["disclosed", "partial", "refused", "unavailable", "not_processed", "other"],
        weights=[45, 15, 8, 20, 8, 4],
    )[0]
    reason = (
        rng.choice([k for k, _l in REASONS[outcome] if k not in ("no_supplement", "fee_unpaid")])
        if outcome in REASONS
        else ""
    )
    events.append(
        (
            "answered",
            answer_on,
            "经审查，现答复如下：所申请的信息已依法处理，详见答复书。",
            {"outcome": outcome, "reason": reason},
        )
    )
    req.status, req.outcome, req.outcome_reason, req.answered_on = "answered", outcome, reason, answer_on
    req.answer = "经审查，现答复如下：所申请的信息已依法处理，详见答复书。"
    return _save(req, events, actor)


def _close(req: DisclosureRequest, events: list, actor: Any, on: date, kind: str, reason: str) -> int:
    events.append((kind, on, "申请人逾期未办理，不再处理该申请。", {"outcome": "other", "reason": reason}))
    req.status, req.outcome, req.outcome_reason, req.answered_on = "closed", "other", reason, on
    return _save(req, events, None)


def _save(req: DisclosureRequest, events: list, actor: Any) -> int:
    req.save()
    rows = [
        DisclosureEvent(
            request=req,
            kind=k,
            on=on,
            at=_at(on, 9 + n % 8),
            actor=actor if k != "received" else None,
            note=note,
            data=data,
        )
        for n, (k, on, note, data) in enumerate(events)
    ]
    DisclosureEvent.objects.bulk_create(rows)
    dclock.refresh(req, rows)
    return 1
