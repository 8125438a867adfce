"""Demo data for 发文: series for 县政府 (青政发), 政府办 (青政办发, 青政办函), 财政局 (青财发) and a
default series for every other unit; then a few documents of 政府办 moved through the outgoing
process by the demo accounts, so that clerk, officehead, unitleader and countyleader each find
work in their inbox. Idempotent: series by prefix, documents by title."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.demo import DemoContext
from tongban.core.errors import TongbanError
from tongban.documents import services
from tongban.documents.models import Document, NumberSeries
from tongban.identity.models import User
from tongban.orgs.models import County, Unit

logger = logging.getLogger(__name__)

NAMED_SERIES = [
    # unit short name, prefix, name
    ("县政府", "政发", "县政府发文"),
    ("政府办", "政办发", "政府办发文"),
    ("政府办", "政办函", "政府办函件"),
    ("财政局", "财发", "财政局发文"),
]

BODY = (
    "<p>为认真贯彻落实上级有关部署，结合我县实际，现就有关事项通知如下。</p>"
    "<h1>一、总体要求</h1><p>坚持问题导向，压实工作责任，确保各项任务按期完成。</p>"
    "<h2>（一）加强组织领导</h2><p>各单位主要负责人要亲自抓、负总责。</p>"
    "<h1>二、工作措施</h1><p>各单位要于规定时间前将落实情况报县人民政府办公室。</p>"
)

# (title, doc_type, where the demo leaves it)
DOCUMENTS = [
    ("关于做好2026年冬季森林防火工作的通知", "通知", "draft"),
    ("关于印发《青山县政务信息报送考核办法》的通知", "通知", "dept_review"),
    ("关于2026年度部门预算执行情况的报告", "报告", "countersign"),
    ("关于进一步加强安全生产工作的通知", "通知", "sign"),
    ("关于开展政务服务满意度调查的通知", "通知", "register"),
    ("关于公布2026年县级行政许可事项清单的通知", "通知", "issued"),
]


def _series(county: County) -> int:
    short = county.name[:1]  # 青山县 → 青
    created = 0
    units = {u.short_name: u for u in Unit.objects.filter(county=county, is_active=True)}
    taken = set(NumberSeries.objects.filter(county=county).values_list("prefix", flat=True))
    for unit_short, suffix, name in NAMED_SERIES:
        unit = units.get(unit_short)
        prefix = short + suffix
        if unit is not None and prefix not in taken:
            NumberSeries.objects.create(county=county, unit=unit, prefix=prefix, name=name)
            taken.add(prefix)
            created += 1
    has_series = set(NumberSeries.objects.filter(county=county).values_list("unit_id", flat=True))
    for unit in units.values():
        if unit.pk in has_series or not unit.code:
            continue
        prefix = f"{short}{unit.code}发"
        if prefix in taken:
            continue
        NumberSeries.objects.create(
            county=county, unit=unit, prefix=prefix, name=_("%(unit)s发文") % {"unit": unit.display_name}
        )
        taken.add(prefix)
        created += 1
    return created


def _item(doc: Document, user: User) -> Any:
    from tongban.workflow import selectors as wfs

    items = wfs.open_items_for(user=user, subject_type=services.SUBJECT_TYPE, subject_id=doc.pk)
    return items[0] if items else None


def _advance(doc: Document, target: str, people: dict[str, User], units: dict[str, Unit]) -> None:
    clerk, head, leader, county_leader = (
        people[k] for k in ("clerk", "officehead", "unitleader", "countyleader")
    )
    if target == "draft":
        return
    services.step_submit(item=_item(doc, clerk), actor=clerk, data={"next_assignees": [head.pk]})
    if target == "dept_review":
        return
    services.step_submit(item=_item(doc, head), actor=head, opinion=_("同意，请办公室核稿。"))
    countersign = [units["财政局"].pk] if target == "countersign" else []
    services.step_submit(
        item=_item(doc, head),
        actor=head,
        opinion=_("已核稿，请审签。"),
        data={"countersign_units": countersign, "next_assignees": [county_leader.pk]},
    )
    if target in {"countersign", "sign"}:
        return
    services.step_submit(item=_item(doc, county_leader), actor=county_leader, opinion=_("同意印发。"))
    services.step_submit(item=_item(doc, head), actor=head, opinion=_("复核无误。"))
    if target == "register":
        return
    services.step_submit(item=_item(doc, clerk), actor=clerk, data={"copies": 20})
    services.step_submit(item=_item(doc, clerk), actor=clerk)  # 用印 (needs the unit's seal certificate)
    services.step_submit(item=_item(doc, clerk), actor=clerk)  # 核发
    del leader


def seed_documents(context: DemoContext) -> str:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["clerk", "officehead", "unitleader", "countyleader"])
    }
    if len(users) < 4:
        return _("发文：缺少演示账号，跳过")
    county = County.objects.filter(units__posts__user=users["clerk"]).first()
    if county is None:
        return _("发文：缺少演示县，跳过")
    n_series = _series(county)
    units = {
        u.short_name: u
        for u in Unit.objects.filter(county=county, short_name__in=["政府办", "财政局", "民政局"])
    }
    made = 0
    for title, doc_type, target in DOCUMENTS:
        if Document.objects.filter(county=county, unit=units["政府办"], title=title).exists():
            continue
        try:
            doc = services.document_create(
                actor=users["clerk"],
                unit=units["政府办"],
                data={
                    "title": title,
                    "doc_type": doc_type,
                    "body_html": BODY,
                    "main_units": [units["财政局"].pk, units["民政局"].pk],
                    "main_external": "市人民政府办公室" if target == "issued" else "",
                    "urgency": "加急" if target == "sign" else "",
                },
            )
            _advance(doc, target, users, units)
        except TongbanError as exc:  # e.g. no seal certificate yet: leave it where it stopped
            logger.warning("demo document %s stopped: %s", title, exc.code)
        made += 1
    return _("发文：新增字号系列 %(s)d 个、公文 %(d)d 件") % {"s": n_series, "d": made}
