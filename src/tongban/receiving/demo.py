"""Demo data: incoming documents at 政府办 and 财政局 in different states (待签收, 初审, 承办 with a
deadline, 传阅, 已办结, 已归档, and an external document registered by hand). Idempotent: the
documents are found by title and nothing is added twice."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.documents.models import Document, NumberSeries, Recipient
from tongban.documents.services import number_assign
from tongban.identity.models import User
from tongban.orgs.models import RoleGrant, Unit
from tongban.receiving import services
from tongban.receiving.models import IncomingDocument

PREFIX = "【演示】"

ISSUED = [
    # title, issuing unit, 发文字号 as printed in earlier demos (only its series prefix is used: the
    # number itself comes from the numbering service), recipients (main, cc), target state at 财政局
    (
        "关于做好2026年度预算执行工作的通知",
        "政府办",
        "青政办发〔2026〕21号",
        (["财政局", "人社局"], ["审计局"]),
        "pending",
    ),
    ("关于开展政府采购领域专项检查的通知", "政府办", "青政办发〔2026〕22号", (["财政局"], []), "review"),
    ("关于报送上半年重点工作进展情况的通知", "政府办", "青政办发〔2026〕23号", (["财政局"], []), "handle"),
    (
        "关于印发《县级机关节能工作方案》的通知",
        "政府办",
        "青政办发〔2026〕24号",
        (["财政局"], []),
        "circulate",
    ),
    ("关于调整部分行政事业性收费标准的通知", "政府办", "青政办发〔2026〕25号", (["财政局"], []), "finish"),
    ("关于做好防汛救灾资金保障工作的通知", "政府办", "青政办发〔2026〕26号", (["财政局"], []), "archived"),
    # to 政府办: a 请示 of 财政局, signed, registered and reviewed, waiting for 拟办
    ("关于追加防汛应急资金的请示", "财政局", "青财发〔2026〕9号", (["政府办"], []), "zf_propose"),
]


def _holder(unit: Unit, role: str) -> User | None:
    grant = (
        RoleGrant.objects.filter(unit=unit, role=role, user__is_active=True).select_related("user").first()
    )
    return grant.user if grant else None


def seed(ctx: DemoContext) -> str:
    units = {
        u.short_name: u for u in Unit.objects.filter(short_name__in=["政府办", "财政局", "人社局", "审计局"])
    }
    if len(units) < 4:
        return "收文: 跳过（未找到演示单位）"
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["clerk", "czclerk", "unitleader", "officehead"])
    }
    if len(users) < 4:
        return "收文: 跳过（未找到演示账号）"
    cz = units["财政局"]
    people = {
        "czclerk": users["czclerk"],
        "czhead": _holder(cz, "office_head"),
        "unitleader": users["unitleader"],
        "zfclerk": users["clerk"],
        "zfhead": users["officehead"],
    }
    if people["czhead"] is None:
        return "收文: 跳过（财政局没有办公室主任）"
    added = 0
    for title, unit_short, number, (main, cc), state in ISSUED:
        if Document.objects.filter(title=PREFIX + title).exists():
            continue
        with transaction.atomic():
            _issue_and_run(title, units[unit_short], number, main, cc, state, units, people)
        added += 1
    external_title = PREFIX + "关于下达2026年第二批中央财政衔接推进乡村振兴补助资金的通知"
    if not IncomingDocument.objects.filter(title=external_title).exists():
        with transaction.atomic():
            services.incoming_register_external(
                actor=people["zfclerk"],
                unit=units["政府办"],
                source_organ="市财政局",
                source_number="市财农〔2026〕18号",
                title=external_title,
                doc_type="通知",
                copies=2,
            )
        added += 1
    total = IncomingDocument.objects.filter(title__startswith=PREFIX).count()
    return f"收文: 新增 {added} 件来文，演示收文共 {total} 件（政府办、财政局等）"


def _issue_and_run(
    title: str,
    unit: Unit,
    number: str,
    main: list[str],
    cc: list[str],
    state: str,
    units: dict[str, Unit],
    people: dict[str, Any],
) -> None:
    now = timezone.now()
    sender = people["zfclerk"] if unit.short_name == "政府办" else people["czclerk"]
    series = NumberSeries.objects.filter(county_id=unit.county_id, prefix=number.split("〔")[0]).first()
    doc = Document.objects.create(
        county_id=unit.county_id,
        unit=unit,
        created_by=people["zfclerk"] if unit.short_name == "政府办" else people["czclerk"],
        title=PREFIX + title,
        doc_type="请示" if "请示" in title else "通知",
        direction="up" if "请示" in title else "down",
        status="signed",
        main_to="、".join(units[n].name for n in main),
        cc_text="、".join(units[n].name for n in cc),
        body_html=(
            "<p>各有关单位：</p><p>为贯彻落实县委、县政府工作部署，现就有关事项通知如下。</p>"
            "<p>一、提高认识，加强组织领导。</p><p>二、明确责任，抓好工作落实。</p>"
            "<p>三、按时报送，确保信息准确。</p>"
        ),
        signature_text=unit.name,
        written_date=timezone.localdate(),
        issued_at=now,
        printer_organ=unit.name,
        printed_date=timezone.localdate(),
    )
    # numbered like any document (unique and gapless in its series), then issued
    if series is not None:
        number_assign(document=doc, actor=sender, series=series)
    Document.objects.filter(pk=doc.pk).update(status="issued")
    doc.refresh_from_db()
    recipients = [Recipient.objects.create(document=doc, kind="main", unit=units[n]) for n in main]
    recipients += [Recipient.objects.create(document=doc, kind="cc", unit=units[n]) for n in cc]
    services.distribute(document=doc, recipients=recipients, actor=sender)
    if state == "pending":
        return
    if state == "zf_propose":
        inc = IncomingDocument.objects.get(source=doc, unit=units["政府办"])
        services.incoming_sign(incoming=inc, actor=people["zfclerk"], copies=1)
        services.incoming_register(incoming=inc, actor=people["zfclerk"], handling="handle")
        services.incoming_review(
            incoming=inc, actor=people["zfhead"], accept=True, opinion="请示事项明确，请拟办"
        )
        return
    inc = IncomingDocument.objects.get(source=doc, unit=units["财政局"])
    services.incoming_sign(incoming=inc, actor=people["czclerk"], copies=2)
    services.incoming_register(incoming=inc, actor=people["czclerk"], handling="handle")
    if state == "review":
        return
    services.incoming_review(incoming=inc, actor=people["czhead"], accept=True, opinion="符合收文要求")
    services.incoming_propose(
        incoming=inc, actor=people["czhead"], proposal="拟请预算股牵头办理，人社局配合。"
    )
    services.incoming_instruct(
        incoming=inc,
        actor=people["unitleader"],
        instruction="同意拟办意见，请预算股抓紧落实，按期反馈。",
        # 人社局 assists only when it has a 文书 to take the item (a small --staff plan may have none).
        assist_units=[units["人社局"]]
        if RoleGrant.objects.filter(unit=units["人社局"], role="clerk").exists()
        else [],
        deadline_workdays=5,
    )
    if state == "handle":
        return
    rs_clerk = RoleGrant.objects.filter(unit=units["人社局"], role="clerk").select_related("user").first()
    if rs_clerk is not None:
        services.incoming_handle(incoming=inc, actor=rs_clerk.user, opinion="已配合提供相关数据。")
    services.incoming_handle(incoming=inc, actor=people["czclerk"], opinion="已按要求落实，材料已报送。")
    services.incoming_circulate(
        incoming=inc, actor=people["czclerk"], users=[people["unitleader"], people["czhead"]], note="请阅"
    )
    if state == "circulate":
        return
    services.incoming_circulation_done(incoming=inc, actor=people["czclerk"])
    services.incoming_finish(incoming=inc, actor=people["czclerk"], result="已办结，相关工作已按期完成。")
    if state == "finish":
        return
    services.incoming_archive(incoming=inc, actor=people["czclerk"], retention="10y")
