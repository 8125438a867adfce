"""Demo resources: 统计局 (资源管理员 ``ziyuan``) publishes the county's main economic indicators
(CSV, open), the population statistics (XLSX made with openpyxl, conditional), a reporting form
template (open) and an enterprise directory restricted to 财政局 and 税务局, for which 财政局's clerk
``czclerk`` has a pending request. Idempotent: an entry whose title exists is skipped."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.library import services
from tongban.library.models import (
    AccessRequest,
    Resource,
    ResourceKind,
    SharingLevel,
    UpdateFrequency,
)
from tongban.orgs.models import Unit

ECONOMY_CSV = (
    "指标,单位,2025年,2024年,增长率\n"
    "地区生产总值,亿元,186.4,175.2,6.4\n"
    "一般公共预算收入,亿元,12.35,11.80,4.7\n"
    "规模以上工业增加值,亿元,52.1,48.9,6.5\n"
    "社会消费品零售总额,亿元,71.6,67.3,6.4\n"
    "固定资产投资,亿元,98.2,93.5,5.0\n"
    "城镇居民人均可支配收入,元,41256,39120,5.5\n"
    "农村居民人均可支配收入,元,21873,20480,6.8\n"
)

ENTERPRISES_CSV = (
    # valid codes of GB 32100-2015 (check characters computed), of the demo county (331100)
    "统一社会信用代码,企业名称,所属行业,登记日期,从业人员\n"
    "91331100MA2A3H7K5U,青山县宏达建材有限公司,制造业,2016-05-12,126\n"
    "91331100MA2B6C1R06,青山县绿源农业开发有限公司,农业,2018-09-03,48\n"
    "91331100MA2C9P4T2P,青山县恒通物流有限公司,交通运输业,2020-03-27,73\n"
)

TEMPLATE_CSV = "单位名称,统计期,指标名称,本期数,上年同期数,填报人,联系电话\n"

TOWNS = ["城关镇", "青石镇", "白水镇", "龙潭镇", "桃源乡", "石门乡", "高坪乡", "柳溪乡", "云台乡", "马家乡"]


def population_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "人口统计"
    ws.append(["乡镇", "户数", "户籍人口", "常住人口", "城镇化率"])
    for i, town in enumerate(TOWNS):
        households = 8200 - i * 530
        registered = households * 3 + 117 * i
        resident = int(registered * (0.86 - i * 0.01))
        ws.append([town, households, registered, resident, round(0.62 - i * 0.04, 2)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def seed(ctx: DemoContext) -> str:
    admin = User.objects.filter(username="ziyuan").first()
    tjj = Unit.objects.filter(short_name="统计局").first()
    if admin is None or tjj is None:
        return _("共享资源库：缺少统计局或资源管理员，未生成示例")
    units = {u.short_name: u for u in Unit.objects.filter(short_name__in=["财政局", "税务局"])}
    entries = [
        (
            "2025年全县主要经济指标",
            ResourceKind.DATASET,
            "全县地区生产总值、财政收入、工业、消费、投资和居民收入等主要经济指标，含上年同期对比。",
            "经济统计",
            "GDP 经济 指标 年度",
            UpdateFrequency.YEARLY,
            SharingLevel.OPEN,
            [],
            "2025年全县主要经济指标.csv",
            ECONOMY_CSV.encode("utf-8"),
        ),
        (
            "全县人口统计（分乡镇）",
            ResourceKind.DATASET,
            "各乡镇户数、户籍人口、常住人口和城镇化率。",
            "人口统计",
            "人口 户籍 常住 乡镇",
            UpdateFrequency.YEARLY,
            SharingLevel.CONDITIONAL,
            [],
            "人口统计.xlsx",
            population_xlsx(),
        ),
        (
            "统计报表填报模板",
            ResourceKind.TEMPLATE,
            "各单位报送月度统计数据使用的表格模板（GB18030 编码，Excel 可直接打开）。",
            "报表模板",
            "模板 报表 填报",
            UpdateFrequency.IRREGULAR,
            SharingLevel.OPEN,
            [],
            "统计报表填报模板.csv",
            TEMPLATE_CSV.encode("gb18030"),
        ),
        (
            "规模以上企业名录",
            ResourceKind.DATASET,
            "规模以上工业企业名录，含统一社会信用代码、行业和从业人员。仅向财政、税务部门共享。",
            "企业统计",
            "企业 名录 规上",
            UpdateFrequency.QUARTERLY,
            SharingLevel.RESTRICTED,
            [u.pk for u in units.values()],
            "规模以上企业名录.csv",
            ENTERPRISES_CSV.encode("gb18030"),
        ),
    ]
    made = 0
    for title, kind, desc, cat, kw, freq, sharing, shared, fname, data in entries:
        if Resource.objects.filter(owner_unit=tjj, title=title).exists():
            continue
        services.resource_publish(
            actor=admin,
            owner_unit=tjj,
            kind=kind,
            title=title,
            file=services.content_file(data, fname),
            file_name=fname,
            description=desc,
            category=cat,
            keywords=kw,
            update_frequency=freq,
            sharing=sharing,
            shared_unit_ids=shared,
            contact="统计局综合股 王明 0791-8888 1234",
        )
        made += 1
    restricted = Resource.objects.filter(owner_unit=tjj, title="规模以上企业名录").first()
    czclerk = User.objects.filter(username="czclerk").first()
    cz = units.get("财政局")
    if (
        restricted is not None
        and czclerk is not None
        and cz is not None
        and not AccessRequest.objects.filter(resource=restricted, unit=cz).exists()
    ):
        services.request_create(
            actor=czclerk,
            resource=restricted,
            reason="编制2026年财源建设方案，需核对规上企业名录。",
            unit_id=cz.pk,
        )
    total = Resource.objects.filter(owner_unit=tjj).count()
    return _("共享资源库：统计局 %(n)d 项资源（本次新增 %(m)d 项），财政局 1 份待审申请") % {
        "n": total,
        "m": made,
    }
