"""Demo solicitations and surveys for 青山县: an open solicitation of a draft policy and a closed
questionnaire with 200 responses and a published result. Idempotent (by title); responses are
bulk-inserted (fast)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tongban.core import clock
from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.interaction.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from tongban.orgs.demo import COUNTY_CODE
from tongban.orgs.models import County, Unit

SOLICITATION = (
    "关于《青山县城区停车管理办法（征求意见稿）》公开征求意见的公告",
    "为规范城区机动车停放秩序，县住房和城乡建设局起草了《青山县城区停车管理办法（征求意见稿）》，现向社会公开征求意见。"
    "主要内容包括：城区公共停车泊位的设置与收费、居住区夜间共享停车、违停处理和电动自行车停放管理。"
    "欢迎社会各界在征求意见截止日期前提出意见建议。",
    "住建局",
)
QUESTIONNAIRE = (
    "青山县政务服务满意度问卷调查",
    "为了解群众和企业对县政务服务的评价，持续改进服务，县政府办公室开展本次问卷调查，约需 2 分钟。",
    "政府办",
    [
        ("您最近一年在县政务服务中心办过事吗？", QuestionKind.SINGLE, ["办过", "没有办过"], [150, 50]),
        (
            "您对办事效率的总体评价是？",
            QuestionKind.SINGLE,
            ["非常满意", "满意", "一般", "不满意"],
            [70, 85, 33, 12],
        ),
        (
            "您通常通过哪些渠道办事？（可多选）",
            QuestionKind.MULTIPLE,
            ["网上办", "掌上办", "窗口办", "自助终端"],
            [110, 95, 80, 30],
        ),
        ("您对改进政务服务还有什么建议？", QuestionKind.TEXT, [], []),
    ],
)
SUGGESTIONS = [
    "希望周末也能开放部分窗口。",
    "网上办事的材料说明再写清楚一些。",
    "停车位太少，建议增加。",
    "工作人员态度很好，点赞。",
    "希望更多事项可以在乡镇便民服务中心办理。",
]
RESULT = (
    "本次问卷共收到有效答卷 200 份，满意和非常满意的占 77.5%。针对群众反映较多的周末办事难和材料说明不清的问题，"
    "县政务服务中心自下月起实行周六上午延时服务，并对 120 项高频事项的办事指南逐一修订。"
)


def _unit(county: County, short: str) -> Unit:
    unit = Unit.objects.filter(county=county, short_name=short).first()
    return unit or Unit.objects.filter(county=county).order_by("sort", "id").first()  # type: ignore[return-value]


def _spread(rng: random.Random, counts: list[int], n: int, single: bool) -> list[list[int]]:
    """For each of ``n`` respondents, the option indexes they chose, matching ``counts``."""
    picks: list[list[int]] = [[] for _ in range(n)]
    if single:
        order = list(range(n))
        rng.shuffle(order)
        pos = 0
        for idx, count in enumerate(counts):
            for r in order[pos : pos + count]:
                picks[r].append(idx)
            pos += count
        return picks
    for idx, count in enumerate(counts):
        for r in rng.sample(range(n), count):
            picks[r].append(idx)
    return picks


@transaction.atomic
def seed(context: DemoContext) -> str:
    county = County.objects.filter(code=COUNTY_CODE).first()
    host = User.objects.filter(username="host").first()
    if county is None or host is None:
        return "征集调查：没有演示县或 host 账号，跳过"
    today = clock.today()
    made = 0
    title, body, unit = SOLICITATION
    if not Survey.objects.filter(county=county, title=title).exists():
        s = Survey.objects.create(
            county=county, kind=SurveyKind.SOLICITATION, title=title, body=body, unit=_unit(county, unit),
            starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=25), status=SurveyStatus.OPEN,
            created_by=host,
        )  # fmt: skip
        SurveyQuestion.objects.create(survey=s, text="意见建议", kind=QuestionKind.TEXT, required=True)
        made += 1
    title, body, unit, questions = QUESTIONNAIRE
    if not Survey.objects.filter(county=county, title=title).exists():
        rng = random.Random(20260335)
        s = Survey.objects.create(
            county=county, kind=SurveyKind.QUESTIONNAIRE, title=title, body=body, unit=_unit(county, unit),
            starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=30), status=SurveyStatus.REPORTED,
            result_summary=RESULT, created_by=host,
        )  # fmt: skip
        qs = [
            SurveyQuestion.objects.create(
                survey=s, text=t, kind=k, options=o, required=k != QuestionKind.TEXT, sort=i
            )
            for i, (t, k, o, _c) in enumerate(questions)
        ]
        n = 200
        start = timezone.make_aware(datetime(s.starts_on.year, s.starts_on.month, s.starts_on.day, 9))
        responses = SurveyResponse.objects.bulk_create(
            [SurveyResponse(survey=s, submitted_at=start + timedelta(minutes=211 * i)) for i in range(n)]
        )
        answers: list[SurveyAnswer] = []
        for q, (_t, kind, options, counts) in zip(qs, questions, strict=True):
            if kind == QuestionKind.TEXT:
                for i in range(0, n, 8):
                    answers.append(
                        SurveyAnswer(
                            response=responses[i], question=q, text=SUGGESTIONS[i % len(SUGGESTIONS)]
                        )
                    )
                continue
            for r, picks in zip(responses, _spread(rng, counts, n, kind == QuestionKind.SINGLE), strict=True):
                if picks:
                    answers.append(
                        SurveyAnswer(response=r, question=q, choices=[options[p] for p in sorted(picks)])
                    )
        SurveyAnswer.objects.bulk_create(answers, batch_size=1000)
        made += 1
    return f"征集调查：新建 {made} 项（1 项意见征集进行中、1 项问卷 200 份答卷已公布结果）"
