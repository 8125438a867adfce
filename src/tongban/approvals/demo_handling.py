"""Demo cases (办件) for the demo county: about forty, in every state — 待受理, 待补正, 办理中 at 审查
and at 决定, 挂起 for 检测, 延期 (pending and approved), 待制证, 办结 with an electronic certificate,
不予许可, 不予受理, 撤回 — most at 市场监管局, handled by login ``handler`` with unit head
``scjleader``, received over the last weeks so some are in 预警 or 黄牌 today.

Each case is filed the short way (rows, materials, the RECEIVED event and the 收件回执 at its past
receipt time) and then handled through the real services of :mod:`tongban.approvals.handling`
inside ``handling.backdated(at)``, so its events carry believable past times while the clock
computes its state as of today. Idempotent: a case with the same applicant and address in its title
is not made again (whatever the catalogue holds by then)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.approvals import clock, handling, numbering
from tongban.approvals.models import (
    Case,
    CaseMaterial,
    EventKind,
    ExtensionRequest,
    ItemStatus,
    NoticeKind,
    ServiceItem,
)
from tongban.core import clock as core_clock
from tongban.core.calendar import add_workdays
from tongban.core.demo import DemoContext
from tongban.identity.models import PublicAccount, User
from tongban.orgs.models import County, Unit

logger = logging.getLogger(__name__)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "丽华",
    "海燕",
    "明辉",
    "晓东",
    "春梅",
    "国庆",
    "文斌",
    "玉兰",
    "永红",
    "卫东",
    "小平",
]
SHOPS = ["小吃店", "便利店", "面馆", "烧烤店", "奶茶店", "超市", "药店", "早餐店", "水果店", "农家乐"]
TOWNS = ["城关镇人民路", "城关镇解放街", "青溪镇兴业路", "白石乡中心街", "东岭镇新华路", "南坞镇文化路"]


@dataclass(frozen=True)
class Plan:
    state: str  # pending|supplement|review|decide|paused|ext_pending|ext_approved|certify|done|refused|rejected|withdrawn
    ago: int  # working days since receipt
    dept: str = "市场监管局"


PLANS = [
    *[Plan("pending", n) for n in (0, 1, 2, 3, 4, 4)],
    *[Plan("supplement", n) for n in (2, 6, 9)],
    *[Plan("review", n) for n in (2, 3, 5, 6, 8, 11)],
    *[Plan("decide", n) for n in (4, 5, 7, 9)],
    Plan("paused", 9),
    Plan("paused", 14),
    Plan("ext_pending", 7),
    Plan("ext_approved", 10),
    Plan("certify", 7),
    Plan("certify", 12),
    *[Plan("done", n) for n in (9, 12, 15, 18, 22)],
    Plan("refused", 13),
    Plan("rejected", 5),
    Plan("rejected", 16),
    Plan("withdrawn", 8),
    *[
        Plan("pending", n, dept)
        for n, dept in (
            (1, "住建局"),
            (3, "住建局"),
            (2, "卫健局"),
            (4, "人社局"),
            (0, "民政局"),
            (2, "交通运输局"),
        )
    ],
]


def _at(on: date, hour: int, minute: int = 0) -> datetime:
    """That day at that time, but never later than now."""
    return min(timezone.make_aware(datetime.combine(on, time(hour, minute))), core_clock.now())


def _id_number(i: int) -> str:
    """A well-formed 身份证号 (GB 11643-1999 check character) for an invented applicant."""
    body = f"331102{1965 + i % 30}{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 900 + 100:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _value(field: dict[str, Any], i: int, name: str, shop: str) -> Any:
    kind = field.get("type", "text")
    label = str(field.get("label", ""))
    if kind == "select" and field.get("choices"):
        return field["choices"][i % len(field["choices"])]
    if kind == "date":
        return core_clock.today().isoformat()
    if kind == "number":
        return 50 + i * 10
    if "地址" in label or "场所" in label or "住所" in label:
        return f"青山县{TOWNS[i % len(TOWNS)]}{10 + i}号"
    if "名称" in label:
        return shop
    if "电话" in label:
        return f"139{i:08d}"
    if kind == "textarea":
        return f"申请办理{name}相关事项，材料真实有效。"
    return name


def _items(county: County, dept: str) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(
            county=county,
            department__short_name=dept,
            status=ItemStatus.PUBLISHED,
            current__isnull=False,
            current__online=True,
        )
        .select_related("current", "current__implementing_unit")
        .order_by("sort", "code")[:12]
    )


def _file(
    county: County,
    item: ServiceItem,
    i: int,
    received: datetime,
    accounts: list[PublicAccount],
    window: User | None,
) -> Case | None:
    """File one case the short way at ``received`` (past): rows, materials, RECEIVED, 收件回执."""
    from tongban.approvals import papers

    v = item.current
    assert v is not None
    account = accounts[i % len(accounts)] if accounts and i % 3 == 0 else None
    if account is not None:
        name, idno, phone = account.name, account.credit_code or account.id_number, account.phone
        kind = "enterprise" if account.credit_code else "person"
    else:
        name = SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        idno, phone, kind = _id_number(i), f"1370570{i:04d}", "person"
    shop = f"青山县{name}{SHOPS[i % len(SHOPS)]}"
    tail = f"（{shop}，{TOWNS[i % len(TOWNS)]}{10 + i}号）"
    if Case.objects.filter(county=county, title__endswith=tail).exists():
        return None
    title = (v.name[: 200 - len(tail)] + tail)[:200]
    counter = account is None and window is not None and i % 2 == 1
    with transaction.atomic():
        case = Case.objects.create(
            county=county,
            tracking_no=numbering.tracking_no(county, timezone.localdate(received)),
            item=item,
            version=v,
            unit=v.implementing_unit,
            account=account,
            applicant_kind=kind,
            applicant_name=name,
            applicant_id_number=idno,
            applicant_phone=phone,
            contact_name=account.contact_name if account else "",
            applicant_address=f"青山县{TOWNS[i % len(TOWNS)]}{10 + i}号",
            title=title,
            form_data={f["key"]: _value(f, i, name, shop) for f in v.form_schema or [] if f.get("key")},
            channel="counter" if counter else "online",
            filed_by=window if counter else None,
            received_at=received,
            received_on=timezone.localdate(received),
        )
        for m in v.materials.filter(required=True):
            cm = CaseMaterial(case=case, material=m, name=f"{m.name}.pdf", size=len(PDF))
            cm.file.save(f"{m.name}.pdf", ContentFile(PDF), save=True)
        case = clock.lock_case(case.pk)
        clock.record_event(case, EventKind.RECEIVED, at=received, data={"channel": case.channel})
        case.refresh_from_db()
        papers.notice_issue(case=case, kind=NoticeKind.RECEIPT, actor=window if counter else None)
    return case


def _drive(case: Case, plan: Plan, handler: User, leader: User, i: int) -> None:
    """Take a filed case to ``plan.state`` through the services, each step at a past time."""
    r = case.received_on
    today = core_clock.today()

    def day(n: int) -> date:
        return min(add_workdays(r, n), today)

    mats = list(case.version.materials.filter(required=True)[:2])
    if plan.state == "supplement":
        with handling.backdated(_at(day(1), 10, 20)):
            handling.case_request_supplement(
                case=case, actor=handler, materials=mats,
                items_text="申请书未签名盖章；经营场所平面图未标注功能分区。",
            )  # fmt: skip
        return
    if plan.state == "rejected":
        with handling.backdated(_at(day(1), 15, 5)):
            handling.case_reject(
                case=case, actor=handler, reason="not_eligible",
                text="经营场所位于居民住宅楼内，不符合食品经营场所设置要求，申请人不具备申请资格。",
            )  # fmt: skip
        return
    with handling.backdated(_at(day(1), 9, 40)):
        handling.case_accept(case=case, actor=handler)
    if plan.state == "withdrawn":
        with handling.backdated(_at(day(3), 11, 0)):
            handling.case_withdraw(
                case=case, actor=handler, note="申请人于窗口提交书面撤回申请，拟变更经营地址后重新申请。"
            )
        return
    if plan.state == "paused":
        with handling.backdated(_at(day(2), 16, 0)):
            handling.case_pause(
                case=case, actor=handler, reason="testing", expected_days=10,
                note="送县食品检验检测中心对经营场所水质进行检测。",
            )  # fmt: skip
        return
    if plan.state in ("ext_pending", "ext_approved"):
        with handling.backdated(_at(day(3), 14, 30)):
            req = handling.extension_request(
                case=case,
                actor=handler,
                days=10,
                reason="需组织现场核查并征求消防部门意见，法定期限内难以作出决定。",
            )
        if plan.state == "ext_approved":
            with handling.backdated(_at(day(4), 9, 15)):
                handling.extension_decide(
                    request=req, actor=leader, approve=True, note="同意延期10个工作日。"
                )
        return
    if plan.state == "review":
        return
    with handling.backdated(_at(day(2), 15, 30)):
        handling.step_complete(
            case=case, actor=handler, opinion="申请材料齐全，经现场核查，经营场所符合要求，建议准予许可。"
        )
    if plan.state == "decide":
        return
    if plan.state == "refused":
        with handling.backdated(_at(day(3), 10, 0)):
            handling.case_decide(
                case=case, actor=leader, decision="refuse",
                reasons="现场核查发现经营场所与污染源距离不足25米，不符合《食品经营许可管理办法》规定的条件。",
                appeal_rights=handling.DEFAULT_APPEAL_RIGHTS,
            )  # fmt: skip
        return
    with handling.backdated(_at(day(3), 10, 0)):
        handling.case_decide(case=case, actor=leader, decision="grant")
    if plan.state == "certify":
        return
    with handling.backdated(_at(day(4), 14, 0)):
        try:
            handling.certificate_issue(case=case, actor=handler)
        except Exception:  # a unit without a seal certificate: the case waits at 制证
            logger.warning("demo: certificate for %s not issued", case.tracking_no, exc_info=True)


def seed(context: DemoContext | None = None) -> str:
    county = County.objects.order_by("id").first()
    handler = User.objects.filter(username="handler").first()
    leader = User.objects.filter(username="scjleader").first()
    window = User.objects.filter(username="window").first()
    if county is None or handler is None or leader is None:
        return "审批办件：缺少示范县或审批人员账号，未生成。"
    by_dept: dict[str, list[ServiceItem]] = {}
    accounts = list(PublicAccount.objects.filter(is_active=True).order_by("id")[:3])
    today = core_clock.today()
    made = 0
    for i, plan in enumerate(PLANS):
        items = by_dept.setdefault(plan.dept, _items(county, plan.dept))
        if not items:
            continue
        item = items[i % len(items)]
        if plan.dept == "市场监管局" and plan.state in ("certify", "done", "refused") and item.current:
            with_cert = [it for it in items if it.current and it.current.certificate_name]
            item = with_cert[i % len(with_cert)] if with_cert else item
        if item.current is None or not Unit.objects.filter(pk=item.current.implementing_unit_id).exists():
            continue
        received = _at(add_workdays(today, -plan.ago), 9 + i % 7, (i * 13) % 60)
        case = _file(county, item, i, received, accounts, window)
        if case is None:
            continue
        made += 1
        if plan.state != "pending":
            try:
                _drive(case, plan, handler, leader, i)
            except Exception:
                logger.exception("demo: case %s could not reach %s", case.tracking_no, plan.state)
    pending = ExtensionRequest.objects.filter(case__county=county, status="pending").count()
    return f"审批办件：新建 {made} 件（市场监管局审批人员 handler、单位负责人 scjleader；待审批延期 {pending} 件）"
