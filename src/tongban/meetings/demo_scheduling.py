"""Demo data of the meetings' scheduling part (order 400): the venues of 青山县 (the county hall's
rooms, 县委常委会议室 and each township's 视频会议室 with its terminal account) and four meetings —
today's 全县安全生产工作视频调度会 (all townships by video, three departments, replies with one
请假), next week's 县政府常务会议, last week's ended meeting with sign-ins, and a draft. Built
through the services (notices and 回执 as in real use). Idempotent: existing rows are left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.meetings import scheduling
from tongban.meetings.models import Attendee, Invitation, Meeting, MeetingStatus, Reply, SignMethod, Venue
from tongban.orgs.models import BusinessRole, County, Post, RoleGrant, Unit

TOWNSHIP_LOGINS = {
    "城关镇": "chengguan",
    "青石镇": "zd_qingshi",
    "柳溪镇": "zd_liuxi",
    "白云乡": "zd_baiyun",
    "石门镇": "zd_shimen",
    "龙潭乡": "zd_longtan",
    "高坪镇": "zd_gaoping",
    "梅岭乡": "zd_meiling",
    "桃源镇": "zd_taoyuan",
    "双河乡": "zd_shuanghe",
}
TITLES = ("全县安全生产工作视频调度会", "县政府常务会议", "全县一季度经济运行分析会", "全县森林防火工作会议")


def _user(login: str) -> User | None:
    return User.objects.filter(username=login).first()


def _screen_name(user: User | None, name: str) -> None:
    """A terminal is a room's screen: it shows in the video grid under the room's name, not a person's
    (the demo accounts ``hall1`` and ``chengguan`` come from the staff generator with a person's name)."""
    if user is not None and user.full_name != name:
        from tongban.identity.services import name_pinyin

        user.full_name = name
        user.pinyin, user.pinyin_initials = name_pinyin(name)
        user.save(update_fields=["full_name", "pinyin", "pinyin_initials"])


def _terminal(county: County, unit: Unit, login: str) -> User:
    from tongban.orgs.demo import DEMO_PASSWORD

    user = _user(login)
    if user is None:
        user = User.objects.create_user(
            username=login, password=DEMO_PASSWORD, full_name=f"{unit.short_name}视频会议室终端"
        )
    _screen_name(user, f"{unit.short_name}视频会议室终端")
    if not Post.objects.filter(user=user, unit=unit).exists():
        Post.objects.create(county=county, user=user, unit=unit, title="会场终端", sort=9999)
    RoleGrant.objects.get_or_create(county=county, user=user, unit=unit, role=BusinessRole.VENUE_TERMINAL)
    return user


def _venues(county: County, units: dict[str, Unit]) -> tuple[dict[str, Venue], int]:
    made = 0
    out: dict[str, Venue] = {}
    rows: list[tuple[str, str, int, str | None, str]] = [
        ("县政府第一会议室", "政府办", 120, "hall1", "县政府大院 3 楼"),
        ("县政府第二会议室", "政府办", 40, None, "县政府大院 2 楼"),
        ("县委常委会议室", "县委", 30, None, "县委大院 4 楼"),
    ]
    for name, short, capacity, login, address in rows:
        unit = units.get(short)
        if unit is None:
            continue
        terminal = _user(login) if login else None
        _screen_name(terminal, f"{name}终端")
        v, created = Venue.objects.get_or_create(
            county=county,
            name=name,
            defaults={
                "unit": unit,
                "capacity": capacity,
                "has_video": terminal is not None,
                "terminal": terminal,
                "address": address,
                "sort": len(out),
            },
        )
        made += created
        out[name] = v
    for i, (township, login) in enumerate(TOWNSHIP_LOGINS.items()):
        unit = units.get(township)
        if unit is None:
            continue
        terminal = _terminal(county, unit, login)
        v, created = Venue.objects.get_or_create(
            county=county,
            name=f"{township}视频会议室",
            defaults={
                "unit": unit,
                "capacity": 30,
                "has_video": True,
                "terminal": terminal,
                "address": f"{township}人民政府",
                "sort": 10 + i,
            },
        )
        made += created
        out[v.name] = v
    return out, made


def _staff(unit: Unit, *titles: str) -> list[User]:
    posts = Post.objects.filter(unit=unit, title__in=titles, user__is_active=True).select_related("user")
    return [p.user for p in posts.order_by("sort", "id")]


def _confirmer(unit: Unit) -> User | None:
    users = scheduling.confirmers_of(unit.pk)
    return users[0] if users else None


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _confirm(m: Meeting, unit: Unit, people: list[tuple[User, str, str]]) -> None:
    inv = Invitation.objects.get(meeting=m, unit=unit)
    actor = _confirmer(unit)
    if actor is None or not people:
        return
    scheduling.invitation_confirm(
        invitation=inv,
        actor=actor,
        people=[{"user_id": u.pk, "reply": r, "leave_reason": why} for u, r, why in people],
    )


def _heads(unit: Unit) -> list[User]:
    return _staff(unit, "镇长", "乡长", "局长", "主任", "副镇长", "副乡长", "副局长", "副主任")


def seed(ctx: DemoContext) -> str:
    from tongban.orgs.demo import COUNTY_CODE

    county = County.objects.filter(code=COUNTY_CODE).first()
    organiser = _user("huiwu")
    leader = _user("countyleader")
    if county is None or organiser is None or leader is None:
        return "会议：没有演示县或会务账号"
    units = {u.short_name: u for u in Unit.objects.filter(county=county)}
    with transaction.atomic():
        venues, n_venues = _venues(county, units)
    if Meeting.objects.filter(county=county, title__in=TITLES).exists():
        return f"会议：演示会议已存在（新增会场 {n_venues} 个）"
    hall = venues.get("县政府第一会议室")
    if hall is None:
        return "会议：缺少县政府第一会议室"
    head_post = Post.objects.filter(county=county, title="县委副书记、县长").select_related("user").first()
    county_head = head_post.user if head_post else leader
    deputies = [
        p.user
        for p in Post.objects.filter(
            county=county, unit=units.get("县政府"), title__contains="副县长"
        ).select_related("user")
    ]
    now = timezone.now()
    townships = [units[t] for t in TOWNSHIP_LOGINS if t in units]
    departments = [units[d] for d in ("应急管理局", "市场监管局", "财政局") if d in units]
    with transaction.atomic():
        # 1. today, by video: the county hall and all ten townships
        start = (now + timedelta(minutes=45)).replace(second=0, microsecond=0)
        start = start.replace(minute=0 if start.minute < 30 else 30)
        today = scheduling.meeting_create(
            actor=organiser,
            data={
                "title": TITLES[0],
                "kind": "both",
                "chair_id": leader.pk,
                "starts_at": start,
                "ends_at": start + timedelta(minutes=90),
                "main_venue_id": hall.pk,
                "venue_ids": [venues[f"{t.short_name}视频会议室"].pk for t in townships],
                "people": [county_head.pk] if county_head != leader else [],
                "agenda": [
                    {"title": "传达全省安全生产电视电话会议精神", "presenter_id": leader.pk, "minutes": 15},
                    {
                        "title": "应急管理局通报近期安全生产形势",
                        "presenter_name": "应急管理局局长",
                        "minutes": 20,
                    },
                    {"title": "各乡镇汇报隐患排查整治情况", "minutes": 40},
                    {"title": "县领导部署下阶段工作", "presenter_id": leader.pk, "minutes": 15},
                ],
                "invitations": [{"unit_id": u.pk, "seats": 3} for u in townships]
                + [{"unit_id": u.pk, "seats": 2} for u in departments],
                "confirm_deadline": start - timedelta(minutes=30)
                if start - now > timedelta(minutes=40)
                else None,
                "late_after_minutes": 5,
                "requirements": "各乡镇主要负责同志、分管同志在本地视频会议室参会，请提前 15 分钟调试设备。",
                "contact_phone": "0797-8801234",
                "summary": "调度全县安全生产重点工作，部署隐患排查整治。",
                "force": True,
            },
        )
        scheduling.meeting_notify(meeting=today, actor=organiser)
        for i, unit in enumerate([*townships[:6], *departments[:2]]):
            heads = _heads(unit)
            if not heads:
                continue
            if i == 1 and len(heads) > 1:  # 青石镇: the head is on leave, the deputy attends
                _confirm(
                    today,
                    unit,
                    [(heads[0], Reply.LEAVE, "赴省参加乡镇长培训班"), (heads[1], Reply.ATTEND, "")],
                )
            else:
                _confirm(today, unit, [(u, Reply.ATTEND, "") for u in heads[:2]])

        # 2. next week, in person: 县政府常务会议 chaired by the county head
        nxt = _at(now + timedelta(days=7), 9)
        finance = [units[d] for d in ("财政局", "发改局", "审计局") if d in units]
        weekly = scheduling.meeting_create(
            actor=organiser,
            data={
                "title": TITLES[1],
                "kind": "in_person",
                "chair_id": county_head.pk,
                "starts_at": nxt,
                "ends_at": nxt + timedelta(hours=3),
                "main_venue_id": hall.pk,
                "people": [d.pk for d in deputies if d != county_head][:6],
                "agenda": [
                    {"title": "研究 2027 年县级财政预算草案", "presenter_name": "财政局局长", "minutes": 40},
                    {"title": "审议《青山县老旧小区改造实施方案》", "minutes": 40},
                    {"title": "听取审计整改情况汇报", "presenter_name": "审计局局长", "minutes": 30},
                ],
                "invitations": [{"unit_id": u.pk, "seats": 2} for u in finance],
                "confirm_deadline": nxt - timedelta(days=1),
                "requirements": "请列席单位主要负责同志参会，汇报材料会前一天报政府办。",
                "contact_phone": "0797-8801234",
                "force": True,
            },
        )
        scheduling.meeting_notify(meeting=weekly, actor=organiser)

        # 3. last week: ended, with sign-ins
        past = scheduling.meeting_create(
            actor=organiser,
            data={
                "title": TITLES[2],
                "kind": "in_person",
                "chair_id": leader.pk,
                "starts_at": now + timedelta(days=30),
                "ends_at": now + timedelta(days=30, hours=2),
                "main_venue_id": hall.pk,
                "people": [county_head.pk] if county_head != leader else [],
                "agenda": [
                    {"title": "一季度主要经济指标分析", "presenter_name": "统计局局长", "minutes": 30}
                ],
                "invitations": [{"unit_id": u.pk, "seats": 2} for u in departments],
                "force": True,
            },
        )
        scheduling.meeting_notify(meeting=past, actor=organiser)
        for unit in departments:
            heads = _heads(unit)
            if heads:
                _confirm(past, unit, [(u, Reply.ATTEND, "") for u in heads[:2]])
        was = _at(now - timedelta(days=7), 9)
        Meeting.objects.filter(pk=past.pk).update(
            starts_at=was,
            ends_at=was + timedelta(hours=2),
            status=MeetingStatus.ENDED,
            notified_at=was - timedelta(days=2),
        )
        for i, a in enumerate(Attendee.objects.filter(meeting=past, reply=Reply.ATTEND).order_by("id")):
            if i % 5 == 4:
                continue  # absent
            late = 12 if i % 4 == 3 else -5
            a.signed_in_at = was + timedelta(minutes=late)
            a.sign_method = SignMethod.QR if i % 2 else SignMethod.ORGANISER
            a.signed_in_by = organiser if a.sign_method == SignMethod.ORGANISER else None
            a.save(update_fields=["signed_in_at", "sign_method", "signed_in_by"])

        # 4. a draft
        later = _at(now + timedelta(days=14), 14, 30)
        scheduling.meeting_create(
            actor=organiser,
            data={
                "title": TITLES[3],
                "kind": "video",
                "chair_id": leader.pk,
                "starts_at": later,
                "ends_at": later + timedelta(hours=1),
                "main_venue_id": hall.pk,
                "venue_ids": [venues[f"{t.short_name}视频会议室"].pk for t in townships],
                "invitations": [{"unit_id": u.pk, "seats": 2} for u in townships],
                "force": True,
            },
        )
    total: Any = Attendee.objects.filter(meeting__county=county).count()
    return f"会议：会场 {len(venues)} 个（新增 {n_venues}），会议 4 场（今日视频调度会、下周常务会、上周已结束、草稿），参会人员 {total} 人次"
