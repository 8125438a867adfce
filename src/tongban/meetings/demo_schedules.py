"""Demo data of the leaders' schedules: the county head's secretary (mishu), entries of the demo
county's leaders this week and next (调研、接待、会议、督导 …, some of them public), and this week
published to the portal's 县领导 column by the schedule clerk (richeng). Idempotent: an entry is
identified by its leader, start and title; a week already published is not published again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.core.errors import TongbanError
from tongban.identity.models import User
from tongban.meetings import schedules
from tongban.meetings import schedules_selectors as sel
from tongban.meetings.models import (
    LeaderSecretary,
    Meeting,
    ScheduleEntry,
    SchedulePublication,
    ScheduleVisibility,
)
from tongban.orgs import demo as orgs_demo
from tongban.orgs.models import County

PUB, INT = ScheduleVisibility.PUBLIC, ScheduleVisibility.INTERNAL

# (weekday 0–6, start, end, title, place, visibility); the leader's index picks a rotation
ACTIVITIES: list[tuple[int, time, time, str, str, str]] = [
    (0, time(8, 30), time(11, 30), "主持召开县政府常务会议", "县政府第一会议室", PUB),
    (0, time(15, 0), time(17, 0), "听取重点项目建设情况汇报", "县政府第二会议室", INT),
    (1, time(9, 0), time(11, 30), "到城关镇调研老旧小区改造工作", "城关镇", PUB),
    (1, time(14, 30), time(17, 0), "接待省农业农村厅调研组", "县委第一会议室", PUB),
    (2, time(9, 0), time(12, 0), "督导安全生产大检查", "青石镇、柳溪镇", PUB),
    (2, time(15, 0), time(16, 30), "专题研究招商引资项目", "县政府第三会议室", INT),
    (3, time(8, 30), time(11, 30), "参加市政府全体（扩大）会议", "市政府", PUB),
    (3, time(19, 30), time(21, 0), "检查冬季消防安全工作", "县城商业街", PUB),
    (4, time(9, 0), time(11, 0), "接访群众（领导干部接访日）", "县信访局", PUB),
    (4, time(14, 30), time(17, 30), "到白云乡调研乡村振兴工作", "白云乡", PUB),
    (5, time(9, 0), time(11, 0), "研究部署森林防火工作", "县应急指挥中心", INT),
]
LEADERS = 9  # the first leaders in protocol order get a week each; the others a few entries


def _aware(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def seed(context: DemoContext) -> str:
    county = County.objects.filter(code=orgs_demo.COUNTY_CODE).first()
    if county is None:
        return "领导日程：未找到演示县，跳过"
    leaders = sel.county_leaders(county)
    if not leaders:
        return "领导日程：演示县没有县领导，跳过"
    head = next((ldr for ldr in leaders if sel.leader_rank(ldr.title) == 20), leaders[0])
    secretaries = 0
    mishu = User.objects.filter(username="mishu").first()
    if mishu is not None:
        _link, made = LeaderSecretary.objects.get_or_create(county=county, leader=head.user, secretary=mishu)
        secretaries += int(made)
    # the demo's meetings (scheduling demo, order 400) are in the leaders' weeks (idempotent)
    for meeting in Meeting.objects.filter(county=county, status__in=schedules.SYNCED_STATUSES):
        schedules.sync_meeting(meeting)
    monday = sel.this_week()
    created = 0
    for n, ldr in enumerate(leaders):
        picks = ACTIVITIES if n < LEADERS else ACTIVITIES[n % 4 :: 4]
        for week in (monday, monday + timedelta(days=7)):
            for k, (wd, start, end, title, place, vis) in enumerate(picks):
                if (k + n) % 3 == 2:  # leaders' weeks differ: skip a third, a different third each
                    continue
                day = week + timedelta(days=wd)
                starts_at = _aware(day, start)
                if ScheduleEntry.objects.filter(leader=ldr.user, starts_at=starts_at, title=title).exists():
                    continue
                ScheduleEntry.objects.create(
                    county=county,
                    leader=ldr.user,
                    starts_at=starts_at,
                    ends_at=_aware(day, end),
                    title=title,
                    place=place,
                    visibility=vis if week == monday or vis == INT else INT,
                )
                created += 1
    published = ""
    clerk = User.objects.filter(username="richeng").first()
    if (
        clerk is not None
        and not SchedulePublication.objects.filter(county=county, week_start=monday).exists()
    ):
        try:
            schedules.publish_week(county=county, week_start=monday, actor=clerk)
            published = "，本周已发布到门户网站“县领导”栏目"
        except TongbanError as exc:
            published = f"，未发布到门户网站（{exc.message}）"
    return f"领导日程：新增日程 {created} 项、领导秘书 {secretaries} 名{published}"
