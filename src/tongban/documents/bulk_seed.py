"""Bulk demo data: N realistic issued and archived documents (``manage.py seed_documents N``,
``manage.py seed_demo --documents N``), for the benchmarks and a demo that feels lived in.

Each document gets a real number in its unit's series (``青政发〔2025〕12号``; the series'
counters move on, so later numbering stays gapless), a title and a body built from templates, a
completed process instance with its done work items (拟稿 → 办公室核稿 → 领导签发) for the unit's
clerk, office head and leader, its search entry, and — for the archived ones — an archive record.
The demo accounts also get a few open 待阅 items. Rows are written with ``bulk_create`` in
batches, one transaction a batch, with a progress bar on the console.

This is demo data, written directly to the tables (no services, no audit rows): run it only on a
demo or benchmark database."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.utils import timezone

from tongban.archive.models import ArchiveRecord, Retention
from tongban.core.bulk import allocate_ids as _allocate_ids
from tongban.core.bulk import write_rows as _write_rows
from tongban.core.progress import Progress
from tongban.documents.models import (
    DocStatus,
    DocType,
    Document,
    NumberRecord,
    NumberSeries,
    SeriesCounter,
)
from tongban.identity.models import User
from tongban.orgs.models import BusinessRole, County, LeaderDuty, RoleGrant, Unit
from tongban.search.models import SearchEntry
from tongban.search.services import entry_fields
from tongban.workflow.models import (
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

SUBJECT_TYPE = "documents.document"
PROCESS_KEY = "documents.outgoing"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_LOGINS = ("clerk", "officehead", "unitleader", "czclerk", "countyleader", "supervisor")
OPEN_READ_ITEMS = 12  # open 待阅 items for each demo account

# (文种, weight)
TYPES: list[tuple[str, int]] = [
    (DocType.NOTICE, 40),
    (DocType.LETTER, 14),
    (DocType.REPORT, 10),
    (DocType.REQUEST, 8),
    (DocType.OPINION, 5),
    (DocType.REPLY, 5),
    (DocType.CIRCULAR, 5),
    (DocType.MINUTES, 4),
    (DocType.DECISION, 3),
    (DocType.ANNOUNCEMENT, 2),
    (DocType.PUBLIC_NOTICE, 2),
    (DocType.COMMUNIQUE, 1),
    (DocType.RESOLUTION, 1),
]

# Subjects: (phrase used in the title, key words the body repeats)
SUBJECTS: list[tuple[str, str]] = [
    ("做好{y}年度防汛抗旱工作", "防汛 抗旱 值班 汛期 应急预案"),
    ("下达{y}年部门预算", "财政预算 部门预算 预算执行 资金"),
    ("开展{y}年安全生产大检查", "安全生产 隐患排查 整改 检查"),
    ("印发《青山县农村人居环境整治提升实施方案》", "农村人居环境 厕所革命 垃圾治理 村庄清洁"),
    ("做好{y}年春节期间有关工作", "春节 值班 安全 保供稳价"),
    ("加强森林防火工作", "森林防火 野外用火 巡查 火险"),
    ("推进乡村振兴重点工作", "乡村振兴 产业发展 脱贫攻坚成果 衔接资金"),
    ("开展{y}年度政务公开工作", "政务公开 信息公开 政府网站 政策解读"),
    ("报送{y}年上半年工作总结和下半年工作计划", "工作总结 工作计划 上半年 报送"),
    ("调整县城市管理领导小组成员", "领导小组 成员调整 城市管理 办公室"),
    ("做好耕地保护和粮食安全工作", "耕地保护 粮食安全 高标准农田 播种面积"),
    ("拨付{y}年义务教育经费", "义务教育 经费 拨付 学校"),
    ("开展城乡居民医疗保险参保登记", "医疗保险 参保 城乡居民 缴费"),
    ("做好{y}年高校毕业生就业工作", "就业 高校毕业生 岗位 招聘"),
    ("进一步优化营商环境", "营商环境 一网通办 审批 企业"),
    ("加强政府债务管理", "政府债务 风险防控 化解 还本付息"),
    ("组织开展消防安全专项整治", "消防安全 专项整治 火灾隐患 检查"),
    ("做好秋冬季大气污染防治工作", "大气污染防治 秸秆禁烧 扬尘 空气质量"),
    ("印发《青山县突发事件总体应急预案》", "应急预案 突发事件 应急管理 演练"),
    ("请求拨付道路维修资金", "道路维修 资金 交通 公路"),
    ("申请{y}年度项目资金", "项目资金 申请 预算 建设"),
    ("开展{y}年度统计执法检查", "统计 执法检查 数据质量 统计调查"),
    ("做好低保和特困人员救助供养工作", "低保 特困人员 救助供养 社会救助"),
    ("召开全县经济工作会议", "经济工作会议 会议 参会人员 材料"),
    ("表彰{y}年度先进集体和先进个人", "表彰 先进集体 先进个人 奖励"),
    ("做好第五次全国经济普查工作", "经济普查 普查 清查 登记"),
    ("加强食品安全监督管理", "食品安全 监督管理 抽检 餐饮"),
    ("推进老旧小区改造", "老旧小区改造 城镇 住房 项目"),
    ("落实河长制工作任务", "河长制 河湖 巡河 水质"),
    ("做好征兵工作", "征兵 兵役登记 体检 政审"),
    ("加强国有资产管理", "国有资产 资产管理 清查 处置"),
    ("开展不动产登记便民服务", "不动产登记 便民 一窗受理 办证"),
    ("进一步规范公文处理工作", "公文处理 行文规范 公文格式 办文"),
    ("做好{y}年度干部教育培训", "干部教育培训 培训 学时 课程"),
    ("加强疫苗接种和传染病防控", "疫苗接种 传染病防控 卫生健康 监测"),
    ("做好冬春农田水利建设", "农田水利 冬春 水利建设 灌溉"),
]
OPENINGS = [
    "为认真贯彻落实党中央、国务院和省委、省政府决策部署，经{org}研究同意，现就{topic}有关事项通知如下。",
    "根据上级有关文件精神，结合我县实际，{org}就{topic}提出如下意见。",
    "按照县委、县政府工作安排，为扎实推进{topic}，现将有关事项函告如下。",
    "{org}高度重视{topic}，近期组织力量进行了专题研究，现将有关情况报告如下。",
]
MIDDLES = [
    "一、提高思想认识。各单位要充分认识{k0}工作的重要性和紧迫性，切实把思想和行动统一到决策部署上来，主要负责同志要亲自研究、亲自部署。",
    "二、明确工作任务。要围绕{k1}和{k2}，细化工作措施，明确责任单位和完成时限，建立工作台账，实行清单化管理。",
    "三、强化协调配合。各有关部门要各司其职、密切配合，形成工作合力；涉及{k2}的事项，由牵头单位会同有关单位研究提出意见。",
    "四、加强督促检查。县政府督查室将对{k3}落实情况开展专项督查，对工作不力、进度滞后的单位予以通报。",
    "五、做好资金保障。所需经费按照有关规定列入部门预算，严格资金管理，确保专款专用，提高资金使用效益。",
    "六、及时报送信息。请各单位于每月25日前将{k0}工作进展情况报送{org}，联系电话：（0797）1234567。",
]
CLOSING_BY_TYPE = {
    DocType.REQUEST: "妥否，请批示。",
    DocType.REPORT: "特此报告。",
    DocType.LETTER: "专此函告，请予支持为盼。",
    DocType.OPINION: "以上意见，请结合实际认真贯彻落实。",
    DocType.REPLY: "此复。",
    DocType.CIRCULAR: "特此通报。",
    DocType.DECISION: "本决定自印发之日起施行。",
    DocType.ANNOUNCEMENT: "特此公告。",
    DocType.PUBLIC_NOTICE: "特此通告。",
    DocType.MINUTES: "以上事项，请各有关单位抓好落实。",
}
MAIN_TO = [
    "各乡镇人民政府，县直各单位：",
    "县人民政府：",
    "县直有关单位：",
    "各乡镇人民政府，县政府各部门：",
    "市人民政府：",
]


@dataclass
class UnitPlan:
    unit: Unit
    weight: float
    clerk_id: int
    office_head_id: int
    leader_id: int
    series_fa: NumberSeries
    series_han: NumberSeries
    leaders_in_charge: list[int]


@dataclass
class SeedResult:
    created: int
    seconds: float
    rows: dict[str, int]


@contextmanager
def _explicit_timestamps(*fields: models.Field) -> Iterator[None]:
    """Let bulk_create keep the dates we give instead of ``auto_now(_add)``'s now."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[attr-defined]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def _county(county: County | None) -> County:
    if county is not None:
        return county
    from tongban.orgs import demo

    found = County.objects.filter(code=demo.COUNTY_CODE).first() or County.objects.order_by("id").first()
    if found is None:
        raise RuntimeError("尚未建立县的组织机构，请先运行 manage.py seed_demo。")
    return found


def _series(
    known: dict[str, NumberSeries], county: County, unit: Unit, prefix: str, name: str
) -> NumberSeries | None:
    existing = known.get(prefix)
    if existing is not None:
        return existing if existing.unit_id == unit.pk else None
    known[prefix] = NumberSeries.objects.create(county=county, unit=unit, prefix=prefix, name=name)
    return known[prefix]


def _plan_units(county: County, rnd: random.Random) -> list[UnitPlan]:
    grants: dict[tuple[int, str], int] = {}
    for unit_id, role, user_id in (
        RoleGrant.objects.filter(county=county, user__is_active=True)
        .order_by("id")
        .values_list("unit_id", "role", "user_id")
    ):
        grants.setdefault((unit_id, role), user_id)
    duties: dict[int, list[int]] = {}
    for unit_id, leader_id in LeaderDuty.objects.filter(county=county).values_list("unit_id", "leader_id"):
        duties.setdefault(unit_id, []).append(leader_id)
    mark = county.name[:1]
    known = {s.prefix: s for s in NumberSeries.objects.filter(county=county)}
    plans = []
    for unit in Unit.objects.filter(county=county, is_active=True).exclude(code="").order_by("sort", "id"):
        clerk = grants.get((unit.pk, BusinessRole.CLERK))
        head = grants.get((unit.pk, BusinessRole.OFFICE_HEAD)) or clerk
        leader = grants.get((unit.pk, BusinessRole.UNIT_LEADER)) or head
        if clerk is None or head is None or leader is None:
            continue
        fa = _series(known, county, unit, f"{mark}{unit.code}发", f"{unit.display_name}发文")
        han = _series(known, county, unit, f"{mark}{unit.code}函", f"{unit.display_name}函件")
        if fa is None or han is None:
            continue
        # the offices of the county government and the demo units write the most
        weight = (
            6.0 if unit.short_name in ("政府办", "县政府") else 4.0 if unit.short_name == "财政局" else 1.0
        )
        weight *= 0.6 + 0.8 * rnd.random()
        plans.append(UnitPlan(unit, weight, clerk, head, leader, fa, han, duties.get(unit.pk, [])))
    if not plans:
        raise RuntimeError("没有可以发文的单位（需要机关代字和文书、办公室主任、单位领导角色）。")
    return plans


def _definition(county: County) -> ProcessDefinition:
    row = (
        ProcessDefinition.objects.filter(key=PROCESS_KEY, is_active=True)
        .filter(models.Q(county=county) | models.Q(county=None))
        .order_by("-version")
        .first()
    )
    if row is None:
        try:
            from tongban.workflow import definitions

            row = definitions.active_definition(PROCESS_KEY, county)
        except Exception:
            row = None
    if row is None:
        row = ProcessDefinition.objects.create(
            county=None,
            key=PROCESS_KEY,
            version=1,
            name="发文",
            process_id="outgoing",
            bpmn_xml="",
            sha256="",
            is_active=False,
            comment="seed_documents placeholder",
        )
    return row


def _aware(day: dt.date, rnd: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rnd.randint(8, 17), rnd.randint(0, 59), tzinfo=SHANGHAI)


def _workday_after(day: dt.date, n: int) -> dt.date:
    d = day
    while n > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _body(rnd: random.Random, org: str, topic: str, keys: list[str], closing: str) -> list[str]:
    k = keys + keys
    fill = {"org": org, "topic": topic, "k0": k[0], "k1": k[1], "k2": k[2], "k3": k[3]}
    paras = [rnd.choice(OPENINGS).format(**fill)]
    for m in sorted(rnd.sample(range(len(MIDDLES)), rnd.randint(2, 4))):
        paras.append(MIDDLES[m].format(**fill))
    paras.append(closing)
    return paras


def seed_documents(
    n: int,
    *,
    county: County | None = None,
    stdout: TextIO | None = None,
    batch_size: int = 2000,
    seed: int = 2026,
    years: tuple[int, ...] | None = None,
) -> SeedResult:
    """Create ``n`` more documents in ``county`` (the demo county by default)."""
    started = time.perf_counter()
    county = _county(county)
    rows = {"documents": 0, "work_items": 0, "search_entries": 0, "archive_records": 0, "numbers": 0}
    if n <= 0:
        return SeedResult(0, 0.0, rows)
    rnd = random.Random(seed + Document.objects.filter(county=county).count())
    today = timezone.localdate()
    years = years or (today.year - 1, today.year)
    first_day = dt.date(min(years), 1, 2)
    last_day = min(today, dt.date(max(years), 12, 31))
    span = (last_day - first_day).days
    plans = _plan_units(county, rnd)
    weights = [p.weight for p in plans]
    definition = _definition(county)
    demo_ids = dict(User.objects.filter(username__in=DEMO_LOGINS).values_list("username", "pk"))
    type_values = [t for t, _w in TYPES]
    type_weights = [w for _t, w in TYPES]
    progress = Progress(n, stdout, "发文 ")
    doc_ts = [Document._meta.get_field("created_at"), Document._meta.get_field("updated_at")]
    with _explicit_timestamps(
        *doc_ts,
        ProcessInstance._meta.get_field("started_at"),
        WorkItem._meta.get_field("created_at"),
        NumberRecord._meta.get_field("assigned_at"),
        SearchEntry._meta.get_field("updated_at"),
    ):
        done = 0
        while done < n:
            size = min(batch_size, n - done)
            # dates in order inside a batch, so numbers rise with dates within a series
            days = sorted(first_day + dt.timedelta(days=rnd.randint(0, span)) for _ in range(size))
            specs = []
            for day in days:
                plan = rnd.choices(plans, weights)[0]
                doc_type = rnd.choices(type_values, type_weights)[0]
                specs.append((day, plan, doc_type))
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # demo data: do not wait for the WAL flush at each batch's commit (a crash
                    # loses the last batches, never consistency)
                    with connection.cursor() as cur:
                        cur.execute("SET LOCAL synchronous_commit = off")
                _seed_batch(county, specs, definition, rnd, today, rows)
            done += size
            progress.update(done)
        with transaction.atomic():
            _open_read_items(county, demo_ids, rnd, rows)
    progress.finish()
    return SeedResult(n, time.perf_counter() - started, rows)


@dataclass
class Doc:
    """One document being written (plain values; rows are built from these)."""

    pk: int
    instance_id: int
    plan: UnitPlan
    series_id: int
    day: dt.date
    signed: dt.date
    issued: dt.date
    doc_type: str
    serial: int
    number: str
    title: str
    body_html: str
    text: str
    created_at: dt.datetime
    issued_at: dt.datetime
    archived_at: dt.datetime | None
    retention: str


def _counters(specs: list[tuple[dt.date, UnitPlan, str]]) -> dict[tuple[int, int], SeriesCounter]:
    """The counters of every (series, year) the batch numbers in, locked (SELECT … FOR UPDATE)."""
    wanted = {(p.series_han if t == DocType.LETTER else p.series_fa).pk for _d, p, t in specs}
    years = {d.year for d, _p, _t in specs}
    have = set(
        SeriesCounter.objects.filter(series_id__in=wanted, year__in=years).values_list("series_id", "year")
    )
    missing = [SeriesCounter(series_id=s, year=y) for s in wanted for y in years if (s, y) not in have]
    SeriesCounter.objects.bulk_create(missing, ignore_conflicts=True)
    return {
        (c.series_id, c.year): c
        for c in SeriesCounter.objects.select_for_update().filter(series_id__in=wanted, year__in=years)
    }


def _seed_batch(
    county: County,
    specs: list[tuple[dt.date, UnitPlan, str]],
    definition: ProcessDefinition,
    rnd: random.Random,
    today: dt.date,
    rows: dict[str, int],
) -> None:
    counters = _counters(specs)
    now = timezone.now()
    doc_ids = _allocate_ids(Document, len(specs))
    inst_ids = _allocate_ids(ProcessInstance, len(specs))
    docs: list[Doc] = []
    for (day, plan, doc_type), pk, inst_id in zip(specs, doc_ids, inst_ids, strict=True):
        series = plan.series_han if doc_type == DocType.LETTER else plan.series_fa
        counter = counters[(series.pk, day.year)]
        counter.last += 1
        subject, keys = rnd.choice(SUBJECTS)
        topic = subject.format(y=day.year)
        org = plan.unit.name
        if doc_type == DocType.MINUTES:
            title = f"{topic.replace('《', '').replace('》', '')}专题会议纪要"
        else:
            title = f"{org}关于{topic}的{doc_type}"
        closing = CLOSING_BY_TYPE.get(doc_type, "特此通知。")
        paras = _body(rnd, org, topic.replace("《", "").replace("》", ""), keys.split(), closing)
        signed = _workday_after(day, rnd.randint(1, 3))
        issued = min(today, _workday_after(signed, rnd.randint(1, 2)))
        archived = rnd.random() < 0.7 and issued < today
        archived_at = None
        if archived:
            archived_at = min(now, _aware(min(today, _workday_after(issued, rnd.randint(5, 20))), rnd))
        docs.append(
            Doc(
                pk=pk,
                instance_id=inst_id,
                plan=plan,
                series_id=series.pk,
                day=day,
                signed=signed,
                issued=issued,
                doc_type=doc_type,
                serial=counter.last,
                number=f"{series.prefix}〔{day.year}〕{counter.last}号",
                title=title[:200],
                body_html="".join(f"<p>{p}</p>" for p in paras),
                text=" ".join(paras),
                created_at=_aware(day, rnd),
                issued_at=min(now, _aware(issued, rnd)),
                archived_at=archived_at,
                retention=rnd.choices(list(Retention.values), [2, 3, 5])[0],
            )
        )
    SeriesCounter.objects.bulk_update(list(counters.values()), ["last"])

    _write_rows(
        ProcessInstance,
        (
            "id",
            "county",
            "definition",
            "subject_type",
            "subject_id",
            "title",
            "starter",
            "starter_unit",
            "status",
            "state_json",
            "urgency",
            "error",
            "started_at",
            "finished_at",
        ),
        [
            (
                d.instance_id,
                county.pk,
                definition.pk,
                SUBJECT_TYPE,
                d.pk,
                d.title,
                d.plan.clerk_id,
                d.plan.unit.pk,
                InstanceStatus.COMPLETED.value,
                "{}",
                "",
                "",
                d.created_at,
                d.issued_at,
            )
            for d in docs
        ],
    )
    doc_fields = [
        "id",
        "county",
        "unit",
        "created_by",
        "created_at",
        "updated_at",
        "status",
        "doc_type",
        "direction",
        "layout",
        "flag_text",
        "series",
        "number_year",
        "number_serial",
        "doc_number",
        "title",
        "main_to",
        "body_html",
        "signature_text",
        "written_date",
        "printer_organ",
        "printed_date",
        "copies",
        "issued_at",
        "archived_at",
        "instance",
    ]
    has_retention = any(f.name == "retention" for f in Document._meta.concrete_fields)
    if has_retention:
        doc_fields.append("retention")
    doc_rows = []
    for d in docs:
        org = d.plan.unit.name
        row = (
            d.pk,
            county.pk,
            d.plan.unit.pk,
            d.plan.clerk_id,
            d.created_at,
            d.archived_at or d.issued_at,
            DocStatus.ARCHIVED.value if d.archived_at else DocStatus.ISSUED.value,
            str(d.doc_type),
            "up" if d.doc_type in (DocType.REQUEST, DocType.REPORT) else "down",
            "letter"
            if d.doc_type == DocType.LETTER
            else "minutes"
            if d.doc_type == DocType.MINUTES
            else "standard",
            f"{org}文件",
            d.series_id,
            d.day.year,
            d.serial,
            d.number,
            d.title,
            rnd.choice(MAIN_TO),
            d.body_html,
            org,
            d.signed,
            org if org.endswith("办公室") else f"{org}办公室",
            d.issued,
            rnd.choice([10, 20, 30, 50, 100]),
            d.issued_at,
            d.archived_at,
            d.instance_id,
        )
        if has_retention:
            row += (d.retention if d.archived_at else "",)
        doc_rows.append(row)
    _write_rows(Document, tuple(doc_fields), doc_rows)
    rows["documents"] += len(docs)

    _write_rows(
        NumberRecord,
        (
            "series",
            "year",
            "serial",
            "text",
            "document",
            "state",
            "assigned_by",
            "assigned_at",
            "voided_at",
            "void_reason",
        ),
        [
            (
                d.series_id,
                d.day.year,
                d.serial,
                d.number,
                d.pk,
                NumberRecord.State.ASSIGNED.value,
                d.plan.clerk_id,
                _aware(d.signed, rnd),
                None,
                "",
            )
            for d in docs
        ],
    )
    rows["numbers"] += len(docs)

    items: list[tuple[Any, ...]] = []
    for d in docs:
        plan = d.plan
        steps = [
            ("draft", "拟稿", plan.clerk_id, d.created_at, "", None),
            (
                "office_review",
                "办公室核稿",
                plan.office_head_id,
                _aware(_workday_after(d.day, 1), rnd),
                "拟同意。",
                plan.clerk_id,
            ),
            ("sign", "领导签发", plan.leader_id, _aware(d.signed, rnd), "同意。", plan.office_head_id),
        ]
        if plan.leaders_in_charge and rnd.random() < 0.2:
            steps.append(
                (
                    "sign",
                    "领导签发",
                    rnd.choice(plan.leaders_in_charge),
                    _aware(d.signed, rnd),
                    "同意印发。",
                    plan.leader_id,
                )
            )
        for step, name, user_id, at, opinion, sender in steps:
            items.append(
                (
                    county.pk,
                    d.instance_id,
                    WorkItemKind.TASK.value,
                    step,
                    name,
                    d.title,
                    SUBJECT_TYPE,
                    d.pk,
                    "",
                    user_id,
                    "",
                    sender,
                    WorkItemStatus.DONE.value,
                    at,
                    at,
                    at,
                    user_id,
                    "submit",
                    opinion,
                )
            )
    _write_rows(WorkItem, WORK_ITEM_COLUMNS, items)
    rows["work_items"] += len(items)

    entries = []
    for d in docs:
        f = entry_fields(
            title=d.title,
            number=d.number,
            body=d.text,
            year=d.day.year,
            doc_type=str(d.doc_type),
            date=d.signed,
        )
        entries.append(
            (
                SUBJECT_TYPE,
                d.pk,
                county.pk,
                d.plan.unit.pk,
                f["title"],
                f["number"],
                f["body"],
                f["attachments_text"],
                f["year"],
                f["doc_type"],
                f["date"],
                f["terms"],
                d.archived_at or d.issued_at,
            )
        )
    _write_rows(
        SearchEntry,
        (
            "kind",
            "object_id",
            "county",
            "unit",
            "title",
            "number",
            "body",
            "attachments_text",
            "year",
            "doc_type",
            "date",
            "terms",
            "updated_at",
        ),
        entries,
    )
    rows["search_entries"] += len(entries)

    archives = [
        (
            county.pk,
            d.plan.unit.pk,
            SUBJECT_TYPE,
            d.pk,
            d.day.year,
            str(d.doc_type),
            d.number,
            d.title,
            d.retention,
            d.archived_at,
            d.plan.clerk_id,
        )
        for d in docs
        if d.archived_at is not None
    ]
    _write_rows(
        ArchiveRecord,
        (
            "county",
            "unit",
            "subject_type",
            "subject_id",
            "year",
            "doc_type",
            "number",
            "title",
            "retention",
            "archived_at",
            "archived_by",
        ),
        archives,
    )
    rows["archive_records"] += len(archives)


WORK_ITEM_COLUMNS = (
    "county",
    "instance",
    "kind",
    "step",
    "step_name",
    "title",
    "subject_type",
    "subject_id",
    "urgency",
    "assignee",
    "role",
    "sender",
    "status",
    "created_at",
    "read_at",
    "completed_at",
    "completed_by",
    "action",
    "opinion",
)


def _open_read_items(
    county: County, demo_ids: dict[str, int], rnd: random.Random, rows: dict[str, int]
) -> None:
    """A few open 待阅 items (传阅) for each demo account, on recent documents of other units."""
    recent = list(
        Document.objects.filter(county=county, instance__isnull=False)
        .order_by("-pk")
        .values_list("pk", "instance_id", "title", "unit_id", "created_by_id", "issued_at")[:500]
    )
    if not recent:
        return
    items = []
    for user_id in demo_ids.values():
        have = WorkItem.objects.filter(
            assignee_id=user_id, kind=WorkItemKind.READ, status=WorkItemStatus.OPEN
        ).count()
        for pk, inst_id, title, _unit_id, sender_id, issued_at in rnd.sample(
            recent, min(len(recent), max(0, OPEN_READ_ITEMS - have))
        ):
            items.append(
                WorkItem(
                    county=county,
                    instance_id=inst_id,
                    kind=WorkItemKind.READ,
                    step="read",
                    step_name="传阅",
                    title=title,
                    subject_type=SUBJECT_TYPE,
                    subject_id=pk,
                    assignee_id=user_id,
                    sender_id=sender_id,
                    status=WorkItemStatus.OPEN,
                    created_at=issued_at or timezone.now(),
                )
            )
    WorkItem.objects.bulk_create(items)
    rows["work_items"] += len(items)
