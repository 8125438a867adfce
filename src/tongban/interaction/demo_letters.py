"""Demo data of the mailboxes (order 310): the 县委书记 and 县长 mailboxes and department mailboxes
of eight units, and about 150 letters over the last year in every state — most answered on time,
some overdue, published replies with believable questions and answers, ratings. Bulk-inserted
(well under 3 s); the clock fields come from the same events through letters_clock.compute.
Idempotent: a county that has mailboxes is left alone."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.core.demo import DemoContext
from tongban.interaction import letters_clock as lclock
from tongban.interaction.models import (
    Letter,
    LetterEvent,
    LetterEventKind,
    LetterStatus,
    Mailbox,
    MailboxKind,
    Rating,
)
from tongban.orgs.models import County, Unit

DEPARTMENTS = ["市场监管局", "教体局", "人社局", "卫健委", "交通运输局", "住建局", "农业农村局", "文旅局"]
# (kind, unit short name, title, content, reply)
SAMPLES: list[tuple[str, str, str, str, str]] = [
    ("consult", "市场监管局", "开小吃店需要办哪些证", "我想在城关镇开一家小吃店，请问需要办理哪些证照，去哪里办？",
     "您好！开办小吃店需办理营业执照和食品经营许可证（或小餐饮登记），可在县政务服务中心一楼市场监管窗口“一窗通办”，材料齐全的当场受理，3 个工作日内办结。"),
    ("complaint", "市场监管局", "超市销售过期食品", "人民路某超市货架上有过期的酸奶，希望查处。",
     "您好！接到来信后，我局执法人员于次日到该超市检查，发现 3 盒过期酸奶，已责令下架并立案调查，将依法处理。感谢您的监督！"),
    ("consult", "教体局", "外地户籍孩子如何在县城上小学", "我们在县城务工多年，孩子户口在外省，明年上小学需要哪些材料？",
     "您好！随迁子女入学需提供监护人居住证、务工证明和孩子户口簿，于每年 6 月在“青山教育”平台报名，由教体局统筹安排到就近学校就读。"),
    ("suggestion", "交通运输局", "建议增开城乡公交夜班车", "晚上八点后从县城回乡镇没有公交，建议增开夜班车。",
     "您好！您的建议很有价值。我局已会同公交公司调研客流，计划下月起在城关至青石镇线路试开两班夜班车（20:30、21:30），试运行效果好将推广。"),
    ("help", "人社局", "工地拖欠工资三个月", "我在某工地打工，老板拖欠工资三个月未发，请帮助讨薪。",
     "您好！我局劳动监察大队已约谈施工单位负责人，督促其从农民工工资专户中支付拖欠工资，目前已全部发放到位。如仍有问题请拨打 12333。"),
    ("consult", "卫健委", "新农合异地就医如何报销", "在省城住院的费用，回县里怎么报销？",
     "您好！办理异地就医备案后可直接结算。未备案的，出院后携带发票、费用清单、出院小结到县医保服务大厅办理手工报销。"),
    ("complaint", "住建局", "小区物业不作为", "某小区电梯经常故障，物业一直不修。",
     "您好！我局已约谈该小区物业公司，责令其在 10 日内完成电梯维修并通过特种设备检验，将跟踪督办落实情况。"),
    ("suggestion", "文旅局", "建议开放体育馆夜间健身", "希望县体育馆晚上向市民免费开放。",
     "您好！县体育馆自下月起每周二、四、六 19:00—21:00 免费向市民开放，欢迎参加健身活动。"),
    ("consult", "农业农村局", "耕地地力保护补贴何时发放", "今年的耕地地力保护补贴什么时候发？",
     "您好！今年耕地地力保护补贴已完成面积核实，预计本月底前通过“一卡通”发放到户。"),
    ("help", "住建局", "农村危房改造申请", "家里老房子开裂严重，能否申请危房改造？",
     "您好！请向所在乡镇提出申请，经房屋安全鉴定为 C、D 级危房且符合保障对象条件的，可纳入危房改造计划。"),
    ("consult", "政府办", "县长信箱的来信多久答复", "请问写给县长信箱的信多长时间能答复？",
     "您好！咨询类来信 3 个工作日内答复，投诉、建议类 13 个工作日内答复，求助类 5 个工作日内答复。"),
    ("complaint", "交通运输局", "城区道路坑洼", "解放路中段路面多处坑洼，雨天积水严重。",
     "您好！我局已安排养护队对解放路中段破损路面进行修补，已于本周完成，感谢您的反映。"),
]  # fmt: skip
WRITERS = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙芳"]


def _at(d: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def seed(ctx: DemoContext) -> str:
    from tongban.orgs.demo import COUNTY_CODE

    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return "领导信箱：没有演示县"
    if Mailbox.objects.filter(county=county).exists():
        return "领导信箱：演示来信已存在"
    units = {u.short_name: u for u in Unit.objects.filter(county=county)}
    office = units.get("政府办")
    with transaction.atomic():
        boxes = [
            Mailbox.objects.create(
                county=county, kind=MailboxKind.LEADER, name="县委书记信箱", leader_title="县委书记", sort=1,
                intro="反映全县经济社会发展中的重大问题和意见建议。",
            ),
            Mailbox.objects.create(
                county=county, kind=MailboxKind.LEADER, name="县长信箱", leader_title="县长", sort=2,
                intro="咨询政策、投诉问题、提出建议、寻求帮助。",
            ),
        ]  # fmt: skip
        for i, short in enumerate(DEPARTMENTS):
            if short in units:
                boxes.append(
                    Mailbox.objects.create(
                        county=county, kind=MailboxKind.DEPARTMENT, name=f"{short}局长信箱"
                        if short.endswith("局") else f"{short}主任信箱", unit=units[short], sort=10 + i,
                    )
                )  # fmt: skip
        n = _letters(county, boxes, units, office)
    return f"领导信箱：{len(boxes)} 个信箱，{n} 封来信"


def _letters(county: County, boxes: list[Mailbox], units: dict[str, Unit], office: Unit | None) -> int:
    rnd = random.Random(310)
    today = tclock.today()
    rows: list[Letter] = []
    plans: list[list[tuple[str, date, int, Unit | None, str, dict[str, Any]]]] = []
    for i in range(150):
        kind, short, title, content, reply = SAMPLES[i % len(SAMPLES)]
        unit = units.get(short) or office
        box = boxes[1] if i % 3 else boxes[0]
        if i % 4 == 0:
            dept_boxes = [b for b in boxes if b.unit_id == (unit.pk if unit else None)]
            box = dept_boxes[0] if dept_boxes else box
        arrived = today - timedelta(days=int(365 * (i / 150) ** 1.3) + 1)
        received = lclock.receipt_day(arrived)
        if received > today:
            received = today
        limit = lclock.limit_for(kind)
        ev: list[tuple[str, date, int, Unit | None, str, dict[str, Any]]] = [
            (LetterEventKind.RECEIVED, received, 9, None, "", {"arrived": arrived.isoformat()})
        ]
        age = workcal.workdays_between(received, today)
        state = LetterStatus.CLOSED
        if i % 37 == 5:
            state = LetterStatus.INVALID
        elif age <= 1:
            state = LetterStatus.RECEIVED
        elif age <= limit:
            state = rnd.choice([LetterStatus.ROUTED, LetterStatus.REVIEW, LetterStatus.ANSWERED])
        elif i % 29 == 3:
            state = LetterStatus.ROUTED  # overdue
        elif age <= limit + 20:
            state = LetterStatus.ANSWERED
        rating = ""
        if state == LetterStatus.INVALID:
            ev.append(
                (LetterEventKind.INVALIDATED, received, 11, None, "重复来信", {"category": "duplicate"})
            )
        elif state != LetterStatus.RECEIVED:
            routed_on = workcal.add_workdays(received, 1) if age >= 1 else received
            ev.append((LetterEventKind.ROUTED, routed_on, 10, unit, "", {}))
            if state in (LetterStatus.REVIEW, LetterStatus.ANSWERED, LetterStatus.CLOSED):
                late = i % 23 == 7
                answer_on = workcal.add_workdays(received, min(limit + (2 if late else 0), max(age, 1)))
                answer_on = min(answer_on, today)
                ev.append((LetterEventKind.DRAFTED, answer_on, 11, unit, "", {}))
                if state != LetterStatus.REVIEW:
                    ev.append((LetterEventKind.ANSWERED, answer_on, 15, unit, "", {"content": reply}))
                    if state == LetterStatus.CLOSED:
                        if i % 5 == 0:
                            rating = Rating.SATISFIED
                            closed_on = lclock.rating_due(answer_on) + timedelta(days=1)
                            ev.append(
                                (LetterEventKind.RATING_DEFAULTED, min(closed_on, today), 7, None, "", {})
                            )
                        else:
                            rating = rnd.choice(
                                [Rating.SATISFIED] * 6 + [Rating.BASIC] * 3 + [Rating.UNSATISFIED]
                            )
                            closed_on = workcal.add_workdays(answer_on, rnd.randint(1, 5))
                            ev.append(
                                (
                                    LetterEventKind.RATED,
                                    min(closed_on, today),
                                    20,
                                    None,
                                    "",
                                    {"rating": rating},
                                )
                            )
                        ev.append((LetterEventKind.CLOSED, min(closed_on, today), 21, None, "", {}))
        letter = Letter(
            county=county,
            mailbox=box,
            tracking_code=f"XJ{received:%Y%m%d}D{i:05d}",
            kind=kind,
            title=title,
            content=content,
            writer_name=WRITERS[i % len(WRITERS)],
            phone=f"139{rnd.randint(10000000, 99999999)}",
            may_publish=i % 6 != 1,
            status=state,
            received_on=received,
            due_on=received,
            routed_to=unit if state not in (LetterStatus.RECEIVED, LetterStatus.INVALID) else None,
            reply_unit=unit if state in (LetterStatus.ANSWERED, LetterStatus.CLOSED) else None,
            reply_content=reply if state in (LetterStatus.ANSWERED, LetterStatus.CLOSED) else "",
            rating=rating,
            rating_defaulted=bool(rating) and any(e[0] == LetterEventKind.RATING_DEFAULTED for e in ev),
        )
        if state in (LetterStatus.ANSWERED, LetterStatus.CLOSED) and letter.may_publish and i % 3 != 2:
            letter.is_published = True
            published_on = next(e[1] for e in ev if e[0] == LetterEventKind.ANSWERED)
            letter.published_at = _at(published_on, 16)
            ev.append((LetterEventKind.PUBLISHED, published_on, 16, None, "", {}))
        rows.append(letter)
        plans.append(ev)
    Letter.objects.bulk_create(rows)
    events: list[LetterEvent] = []
    for letter, ev in zip(rows, plans, strict=True):
        objs = [
            LetterEvent(letter=letter, kind=k, on=on, at=_at(on, hour), unit=u, note=note, data=data)
            for k, on, hour, u, note, data in sorted(ev, key=lambda e: (e[1], e[2]))
        ]
        events.extend(objs)
        c = lclock.compute(letter.kind, objs, fallback_received=letter.received_on)
        letter.due_on = c.due_on
        letter.answered_on = c.answered_on
        letter.on_time = c.on_time
        letter.rating_due_on = c.rating_due_on
        if letter.rating:
            letter.rated_at = _at(c.answered_on or letter.received_on, 20)
    LetterEvent.objects.bulk_create(events)
    Letter.objects.bulk_update(rows, ["due_on", "answered_on", "on_time", "rating_due_on", "rated_at"])
    return len(rows)
