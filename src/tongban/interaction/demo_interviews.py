"""Demo online interviews for 青山县: three past interviews with published transcripts (营商环境,
义务教育招生, 医保) and one announced for next week with pre-questions. Idempotent (by title)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core import clock
from tongban.core.calendar import add_workdays
from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.interaction.models import (
    Interview,
    InterviewGuest,
    InterviewPost,
    InterviewQuestion,
    InterviewStatus,
    QuestionStatus,
)
from tongban.orgs.demo import COUNTY_CODE
from tongban.orgs.models import County, Unit

PAST: list[dict[str, Any]] = [
    {
        "title": "优化营商环境 服务市场主体高质量发展",
        "unit": "市场监管局",
        "days_ago": 75,
        "summary": "县市场监督管理局负责同志围绕企业开办“一网通办”、个体工商户登记、食品经营许可告知承诺制等与网友在线交流。",
        "guests": [("陈建国", "县市场监督管理局局长"), ("刘晓燕", "县市场监督管理局登记注册股股长")],
        "posts": [
            (
                "主持人",
                "各位网友大家好，欢迎来到县政府门户网站在线访谈。今天我们邀请到县市场监督管理局的负责同志，和大家聊聊优化营商环境。",
            ),
            (
                "陈建国（县市场监督管理局局长）",
                "今年以来，我县企业开办时间压缩到 1 个工作日以内，全程网上办、零费用。",
            ),
        ],
        "qa": [
            (
                "创业小王",
                "开一家小餐馆要办哪些证？多长时间能办好？",
                "刘晓燕",
                "需要办理营业执照和食品经营许可。两证可以在政务服务网“一件事”专区一次申请，材料齐全的当场受理，食品经营许可实行告知承诺的当场发证。",
            ),
            (
                "城东个体户",
                "个体工商户年报在哪里填？逾期了怎么办？",
                "刘晓燕",
                "每年 1 月 1 日至 6 月 30 日通过国家企业信用信息公示系统填报；逾期未报的会被标记为经营异常，补报后可以申请恢复正常记载状态。",
            ),
            (
                "青山网友",
                "企业注销太麻烦，有没有简易办法？",
                "陈建国",
                "未开业或无债权债务的企业可以适用简易注销，公示期 20 天，期满无异议即可办理，一般 3 个工作日内办结。",
            ),
        ],
        "later": [
            (
                "老李",
                "食品小作坊登记需要哪些条件？",
                "刘晓燕",
                "需要有固定的生产场所、符合卫生要求的设备设施，向所在地市场监管所提交登记申请，所里 10 个工作日内现场核查。",
            )
        ],
        "transcript": "本期访谈共收到网友提问 28 个，现场回答 12 个，会后答复 16 个，主要涉及企业开办、个体户年报、简易注销和食品经营许可。",
    },
    {
        "title": "2026 年义务教育招生政策解读",
        "unit": "教体局",
        "days_ago": 150,
        "summary": "县教育体育局负责同志解读今年城区义务教育学校招生范围、报名时间和随迁子女入学政策。",
        "guests": [("周明华", "县教育体育局副局长"), ("孙丽", "县教育体育局基础教育股股长")],
        "posts": [
            (
                "主持人",
                "又到一年招生季，家长们最关心的是孩子在哪上学、什么时候报名。今天我们请来了县教育体育局的负责同志。",
            ),
            (
                "周明华（县教育体育局副局长）",
                "今年城区小学一年级、初中一年级招生继续实行“划片招生、就近入学”，网上报名时间为 7 月 1 日至 7 月 10 日。",
            ),
        ],
        "qa": [
            (
                "一年级家长",
                "户口在城关镇，房子在城东新区，孩子应该去哪所学校？",
                "孙丽",
                "按照“房户一致”优先的原则，房户不一致的，以实际居住地为准，需要提供房产证明和一年以上居住证明。",
            ),
            (
                "外地务工人员",
                "随迁子女入学需要准备什么材料？",
                "孙丽",
                "需要居住证、父母一方在本县的就业或社保证明、户口簿和预防接种证明，由县教体局统筹安排公办学校学位。",
            ),
            (
                "关心教育的网友",
                "今年城区会新增学位吗？",
                "周明华",
                "城东第二小学今年秋季投入使用，新增学位 1350 个，可以缓解城东片区的入学压力。",
            ),
        ],
        "later": [
            (
                "二孩妈妈",
                "兄弟姐妹能否安排在同一所学校？",
                "孙丽",
                "同一户籍的兄弟姐妹，一方已在片区学校就读的，另一方可申请就读同一学校，学校在学位允许的情况下优先安排。",
            )
        ],
        "transcript": "本期访谈围绕义务教育招生政策，回答了网友关于学区划分、随迁子女入学、新增学位等方面的问题。",
    },
    {
        "title": "城乡居民医保参保缴费和报销政策",
        "unit": "人社局",
        "days_ago": 40,
        "summary": "围绕 2027 年度城乡居民基本医疗保险集中参保缴费、异地就医备案和门诊慢特病待遇，与网友在线交流。",
        "guests": [("郑伟", "县医疗保障局局长")],
        "posts": [
            ("主持人", "城乡居民医保集中缴费期开始了，今天我们邀请县医疗保障局局长郑伟做客访谈。"),
            (
                "郑伟（县医疗保障局局长）",
                "2027 年度个人缴费标准为每人每年 400 元，集中缴费期截至 12 月 31 日，可以通过手机银行、微信、税务 APP 缴费。",
            ),
        ],
        "qa": [
            (
                "在外务工青年",
                "我在外省打工，看病能直接报销吗？",
                "郑伟",
                "办理异地就医备案后，在备案地的联网定点医院住院和门诊可以直接结算，备案可以在国家医保服务平台 APP 上办理。",
            ),
            (
                "退休教师家属",
                "高血压糖尿病门诊用药能报销多少？",
                "郑伟",
                "两病患者门诊用药报销比例为 60%，年度最高支付限额 500 元，在村卫生室和乡镇卫生院购药就可以报销。",
            ),
        ],
        "later": [],
        "transcript": "本期访谈介绍了城乡居民医保缴费标准、渠道和异地就医直接结算办法，现场回答网友提问 15 个。",
    },
]

UPCOMING: dict[str, Any] = {
    "title": "农村人居环境整治与和美乡村建设",
    "unit": "农业农村局",
    "days_ahead": 6,
    "summary": "县农业农村局负责同志将介绍农村厕所革命、生活垃圾和污水治理进展，欢迎网友提前提问。",
    "guests": [("黄志强", "县农业农村局局长")],
    "pre": [
        ("青山村民", "村里的污水管网什么时候能铺到我们组？"),
        ("返乡创业者", "发展农家乐有没有扶持政策？"),
    ],
}


def _unit(county: County, short: str) -> Unit:
    unit = Unit.objects.filter(county=county, short_name=short).first()
    return unit or Unit.objects.filter(county=county).order_by("sort", "id").first()  # type: ignore[return-value]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@transaction.atomic
def seed(context: DemoContext) -> str:
    county = County.objects.filter(code=COUNTY_CODE).first()
    host = User.objects.filter(username="host").first()
    if county is None or host is None:
        return "在线访谈：没有演示县或 host 账号，跳过"
    made = 0
    today = clock.today()
    for spec in PAST:
        if Interview.objects.filter(county=county, title=spec["title"]).exists():
            continue
        day = today - timedelta(days=int(spec["days_ago"]))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        start = _at(day, 10)
        end = start + timedelta(minutes=60)
        iv = Interview.objects.create(
            county=county, title=spec["title"], summary=spec["summary"], host_unit=_unit(county, str(spec["unit"])),
            starts_at=start, ends_at=end, status=InterviewStatus.PUBLISHED, announced_at=start - timedelta(days=7),
            started_at=start, ended_at=end, replies_due_on=add_workdays(day, 5),
            transcript_summary=spec["transcript"], created_by=host, version=1,
        )  # fmt: skip
        guests = {
            name: InterviewGuest.objects.create(interview=iv, name=name, title=title, sort=i)
            for i, (name, title) in enumerate(spec["guests"])
        }
        minute = 0
        for speaker, text in spec["posts"]:
            InterviewPost.objects.create(
                interview=iv, speaker=speaker, content=text, at=start + timedelta(minutes=minute), author=host
            )
            minute += 3
        for nick, q, guest, a in spec["qa"]:
            at = start + timedelta(minutes=minute)
            InterviewQuestion.objects.create(
                interview=iv, nickname=nick, content=q, status=QuestionStatus.ANSWERED, moderated_by=host,
                moderated_at=at, answer=a, answered_by=guests[guest], answered_at=at + timedelta(minutes=4),
                answered_live=True,
            )  # fmt: skip
            minute += 8
        for nick, q, guest, a in spec["later"]:
            InterviewQuestion.objects.create(
                interview=iv, nickname=nick, content=q, status=QuestionStatus.ANSWERED, moderated_by=host,
                moderated_at=end, answer=a, answered_by=guests[guest], answered_at=end + timedelta(days=2),
                answered_live=False,
            )  # fmt: skip
        made += 1
    if not Interview.objects.filter(county=county, title=UPCOMING["title"]).exists():
        day = today + timedelta(days=int(UPCOMING["days_ahead"]))
        start = _at(day, 15)
        iv = Interview.objects.create(
            county=county, title=UPCOMING["title"], summary=UPCOMING["summary"],
            host_unit=_unit(county, "农业农村局"), starts_at=start, ends_at=start + timedelta(minutes=60),
            status=InterviewStatus.ANNOUNCED, announced_at=clock.now(), created_by=host, version=1,
        )  # fmt: skip
        for i, (name, title) in enumerate(UPCOMING["guests"]):
            InterviewGuest.objects.create(interview=iv, name=name, title=title, sort=i)
        for nick, q in UPCOMING["pre"]:
            InterviewQuestion.objects.create(interview=iv, nickname=nick, content=q, is_pre=True)
        made += 1
    return f"在线访谈：新建 {made} 期（3 期往期实录、1 期预告；管理员 host）"
