"""Leaders' schedules: meetings kept in step (sync_meeting), entries kept by hand (who may, what
is checked, clash warnings), who sees what, a leader's week and the county's 领导周活动安排."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.meetings import schedules
from tongban.meetings import schedules_selectors as sel
from tongban.meetings.models import (
    Attendee,
    MeetingKind,
    MeetingStatus,
    Reply,
    ScheduleEntry,
    ScheduleVisibility,
)
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.orgs import demo as orgs_demo
from tongban.orgs.models import Post

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 30)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Local time on day ``day`` (0 = Monday) of WEEK."""
    return timezone.make_aware(datetime.combine(WEEK + timedelta(days=day), datetime.min.time())).replace(
        hour=hour, minute=minute
    )


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


def entry(w: MeetingsWorld, leader: str, start: datetime, hours: float = 2, **kw: Any) -> ScheduleEntry:
    values = {"title": "调研", "place": "", "visibility": ScheduleVisibility.INTERNAL, **kw}
    return ScheduleEntry.objects.create(
        county=w.county,
        leader=w.users[leader],
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        **values,
    )


# --- sync_meeting ---------------------------------------------------------------------------------


def test_sync_creates_one_internal_entry_per_attending_county_leader(w: MeetingsWorld) -> None:
    m = make_meeting(
        w, starts_at=at(1, 9), people=("deputy", "county_head", "scj_staff"), confirm={"scj": ("scj_head",)}
    )
    schedules.sync_meeting(m)
    rows = {e.leader_id: e for e in ScheduleEntry.objects.filter(meeting=m)}
    assert set(rows) == {w.users["deputy"].pk, w.users["county_head"].pk}  # not scj_staff nor scj_head
    e = rows[w.users["deputy"].pk]
    assert e.title == "全县市场监管工作视频会议"
    assert e.place == "县政府第一会议室（视频）"
    assert (e.starts_at, e.ends_at) == (m.starts_at, m.ends_at)
    assert e.visibility == ScheduleVisibility.INTERNAL and e.county_id == w.county.pk
    stamp = e.updated_at
    schedules.sync_meeting(m)  # idempotent
    assert ScheduleEntry.objects.filter(meeting=m).count() == 2
    assert ScheduleEntry.objects.get(pk=e.pk).updated_at == stamp


def test_sync_follows_changes_and_keeps_the_visibility_set_by_hand(w: MeetingsWorld) -> None:
    m = make_meeting(w, starts_at=at(1, 9), kind=MeetingKind.IN_PERSON, venues=("hall2",))
    schedules.sync_meeting(m)
    e = ScheduleEntry.objects.get(meeting=m)
    assert e.place == "县政府第二会议室"  # in person: no （视频）
    schedules.entry_update(actor=w.users["scheduler"], entry=e, data={"visibility": "public"})
    m.title, m.starts_at, m.ends_at = "全县安全生产工作会议", at(2, 15), at(2, 17)
    m.save()
    schedules.sync_meeting(m)
    e.refresh_from_db()
    assert (e.title, e.starts_at, e.ends_at) == ("全县安全生产工作会议", at(2, 15), at(2, 17))
    assert e.visibility == ScheduleVisibility.PUBLIC


def test_sync_drops_a_leader_on_leave_and_everything_on_cancel(w: MeetingsWorld) -> None:
    m = make_meeting(w, starts_at=at(1, 9), people=("deputy", "county_head"))
    schedules.sync_meeting(m)
    Attendee.objects.filter(meeting=m, user=w.users["county_head"]).update(reply=Reply.LEAVE)
    schedules.sync_meeting(m)
    assert list(ScheduleEntry.objects.filter(meeting=m).values_list("leader_id", flat=True)) == [
        w.users["deputy"].pk
    ]
    m.status = MeetingStatus.CANCELLED
    m.save()
    schedules.sync_meeting(m)
    assert not ScheduleEntry.objects.filter(meeting=m).exists()


def test_sync_ignores_drafts_and_keeps_live_and_ended_meetings(w: MeetingsWorld) -> None:
    m = make_meeting(w, starts_at=at(1, 9), status=MeetingStatus.DRAFT)
    schedules.sync_meeting(m)
    assert not ScheduleEntry.objects.filter(meeting=m).exists()
    for status in (MeetingStatus.LIVE, MeetingStatus.ENDED):
        m.status = status
        m.save()
        schedules.sync_meeting(m)
        assert ScheduleEntry.objects.filter(meeting=m).count() == 1


# --- entries kept by hand --------------------------------------------------------------------------


def _data(start: datetime, hours: float = 2, **kw: Any) -> dict[str, Any]:
    return {
        "title": "到青山镇调研",
        "place": "青山镇",
        "starts_at": start,
        "ends_at": start + timedelta(hours=hours),
        **kw,
    }


@pytest.mark.parametrize("keeper", ["county_head", "secretary", "scheduler"])
def test_the_leader_the_secretary_and_the_clerk_keep_entries(w: MeetingsWorld, keeper: str) -> None:
    saved = schedules.entry_create(actor=w.users[keeper], leader=w.users["county_head"], data=_data(at(0, 9)))
    assert saved.entry.leader == w.users["county_head"] and saved.entry.created_by == w.users[keeper]
    assert saved.clashes == []
    assert AuditRecord.objects.filter(event="schedules.entry_created", object_id=str(saved.entry.pk)).exists()
    schedules.entry_update(actor=w.users[keeper], entry=saved.entry, data={"title": "接待来访客商"})
    assert ScheduleEntry.objects.get(pk=saved.entry.pk).title == "接待来访客商"
    schedules.entry_delete(actor=w.users[keeper], entry=saved.entry)
    assert not ScheduleEntry.objects.filter(pk=saved.entry.pk).exists()


@pytest.mark.parametrize("who", ["deputy", "scj_staff", "organiser", "outsider"])
def test_others_may_not_keep_the_county_heads_entries(w: MeetingsWorld, who: str) -> None:
    e = entry(w, "county_head", at(0, 9))
    with pytest.raises(PermissionDenied):
        schedules.entry_create(actor=w.users[who], leader=w.users["county_head"], data=_data(at(1, 9)))
    with pytest.raises(PermissionDenied):
        schedules.entry_update(actor=w.users[who], entry=e, data={"title": "改"})
    with pytest.raises(PermissionDenied):
        schedules.entry_delete(actor=w.users[who], entry=e)
    assert ScheduleEntry.objects.count() == 1 and ScheduleEntry.objects.get(pk=e.pk).title == "调研"


def test_a_secretary_keeps_only_the_leader_served(w: MeetingsWorld) -> None:
    with pytest.raises(PermissionDenied):
        schedules.entry_create(actor=w.users["secretary"], leader=w.users["deputy"], data=_data(at(0, 9)))
    assert not ScheduleEntry.objects.exists()


def test_entries_only_for_county_leaders(w: MeetingsWorld) -> None:
    with pytest.raises(NotFound):
        schedules.entry_create(actor=w.users["scheduler"], leader=w.users["scj_head"], data=_data(at(0, 9)))
    assert not ScheduleEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写活动内容。"),
        ({"ends_at": at(0, 8)}, "ends_at", "结束时间必须晚于开始时间。"),
        ({"ends_at": at(0, 9)}, "ends_at", "结束时间必须晚于开始时间。"),
        ({"starts_at": None}, "starts_at", "请填写开始时间。"),
        ({"visibility": "secret"}, "visibility", "公开范围不正确。"),
        ({"ends_at": at(0, 9) + timedelta(days=40)}, "ends_at", "一项活动不能超过31天，请分开录入。"),
        ({"title": "调" * 201}, "title", "活动内容不能超过200字。"),
    ],
)
def test_bad_entries_are_refused_in_chinese(
    w: MeetingsWorld, data: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(TongbanError) as exc:
        schedules.entry_create(
            actor=w.users["secretary"], leader=w.users["county_head"], data={**_data(at(0, 9)), **data}
        )
    assert exc.value.field == field and str(exc.value) == message
    assert not ScheduleEntry.objects.exists()


def test_an_overlap_is_saved_with_a_warning(w: MeetingsWorld) -> None:
    first = entry(w, "county_head", at(0, 9), title="接待省检查组")
    entry(w, "deputy", at(0, 9))  # another leader's entry is no clash
    saved = schedules.entry_create(
        actor=w.users["secretary"], leader=w.users["county_head"], data=_data(at(0, 10))
    )
    assert saved.clashes == [first]
    assert "接待省检查组" in saved.warning and "时间重叠" in saved.warning
    touching = schedules.entry_create(
        actor=w.users["secretary"], leader=w.users["county_head"], data=_data(at(0, 12), 1)
    )
    assert touching.clashes == []  # 12:00 starts when the 10:00–12:00 entry ends


def test_a_meetings_entry_changes_only_its_visibility(w: MeetingsWorld) -> None:
    m = make_meeting(w, starts_at=at(1, 9))
    schedules.sync_meeting(m)
    e = ScheduleEntry.objects.get(meeting=m)
    with pytest.raises(TongbanError) as exc:
        schedules.entry_update(actor=w.users["scheduler"], entry=e, data={"title": "改名"})
    assert exc.value.code == "schedules.meeting_entry"
    with pytest.raises(TongbanError):
        schedules.entry_update(actor=w.users["scheduler"], entry=e, data={"starts_at": at(1, 10)})
    with pytest.raises(TongbanError):
        schedules.entry_delete(actor=w.users["scheduler"], entry=e)
    e.refresh_from_db()
    assert e.title == m.title and e.starts_at == m.starts_at
    schedules.entry_update(
        actor=w.users["scheduler"], entry=e, data={"visibility": "public", "title": m.title}
    )  # the same title is not a change
    assert ScheduleEntry.objects.get(pk=e.pk).visibility == "public"


# --- who sees what ---------------------------------------------------------------------------------


def test_visibility_matrix(w: MeetingsWorld) -> None:
    head = w.users["county_head"]
    expect = {
        "county_head": sel.ALL_VISIBLE,
        "secretary": sel.ALL_VISIBLE,
        "deputy": sel.STAFF_VISIBLE,
        "scheduler": sel.STAFF_VISIBLE,
        "scj_staff": (),
        "organiser": (),
        "hall_terminal": (),
        "outsider": (),
    }
    for key, visible in expect.items():
        assert sel.visibilities_for(w.users[key], head) == visible, key
        if not visible:
            with pytest.raises(NotFound):
                sel.get_leader_for(w.users[key], head.pk)
    # a secretary of the county head sees the deputy's week like nobody special
    assert sel.visibilities_for(w.users["secretary"], w.users["deputy"]) == ()
    with pytest.raises(NotFound):
        sel.get_leader_for(w.users["scheduler"], w.users["scj_head"].pk)  # not a leader


def test_private_entries_are_hidden_from_other_leaders_and_the_clerk(w: MeetingsWorld) -> None:
    private = entry(w, "county_head", at(2, 20), visibility=ScheduleVisibility.PRIVATE, title="家访")
    internal = entry(w, "county_head", at(2, 9))
    for key in ("deputy", "scheduler"):
        week = sel.week_of(
            w.users["county_head"],
            WEEK,
            visibilities=sel.visibilities_for(w.users[key], w.users["county_head"]),
        )
        ids = {i.entry.pk for d in week.days for items in d.slots.values() for i in items}
        assert ids == {internal.pk}, key
        with pytest.raises(NotFound):
            sel.get_entry_for(w.users[key], private.pk)
    assert sel.get_entry_for(w.users["secretary"], private.pk) == private
    assert sel.get_entry_for(w.users["deputy"], internal.pk) == internal


def test_leaders_for(w: MeetingsWorld) -> None:
    def names(key: str) -> list[str]:
        return [ldr.name for ldr in sel.leaders_for(w.users[key])]

    assert names("scheduler") == ["李县长", "王副县长"]
    assert names("deputy") == ["李县长", "王副县长"]
    assert names("secretary") == ["李县长"]
    assert names("scj_staff") == [] and names("outsider") == []
    assert [ldr.name for ldr in sel.kept_leaders(w.users["deputy"])] == ["王副县长"]


# --- a week, the county table ----------------------------------------------------------------------


def test_week_of_groups_by_day_and_part_of_day(w: MeetingsWorld) -> None:
    am = entry(w, "county_head", at(0, 8, 30))
    pm = entry(w, "county_head", at(0, 14))
    ev = entry(w, "county_head", at(0, 19, 30))
    trip = entry(w, "county_head", at(3, 15), hours=30, title="赴省城招商")  # Thu 15:00 → Fri 21:00
    entry(w, "county_head", at(7, 9))  # next Monday: not in this week
    week = sel.week_of(w.users["county_head"], WEEK + timedelta(days=3))  # any day finds its Monday
    assert week.week_start == WEEK and week.label == "2026年11月30日—12月6日"
    mon = week.days[0]
    assert [i.entry for i in mon.slots["am"]] == [am]
    assert [i.entry for i in mon.slots["pm"]] == [pm]
    assert [i.entry for i in mon.slots["evening"]] == [ev]
    assert [i.entry for i in week.days[3].slots["pm"]] == [trip]
    fri = week.days[4].slots["am"]
    assert [i.entry for i in fri] == [trip] and fri[0].continued
    assert week.count == 4 and week.days[6].empty


def test_leader_rank_puts_the_demo_leaders_in_protocol_order() -> None:
    titles = [t for t, _b, _c in orgs_demo.LEADERS]
    assert sorted(titles, key=sel.leader_rank) == titles


def test_county_table_rows_order_cells_and_visibility(w: MeetingsWorld) -> None:
    # the deputy's post sorts before the county head's in 县政府: the table still puts 县长 first
    Post.objects.filter(user=w.users["deputy"]).update(sort=1)
    Post.objects.filter(user=w.users["county_head"]).update(sort=5)
    entry(
        w,
        "county_head",
        at(0, 9),
        title="主持召开县政府常务会议",
        place="县政府第一会议室",
        visibility=ScheduleVisibility.PUBLIC,
    )
    entry(w, "county_head", at(0, 19), title="检查防汛工作", visibility=ScheduleVisibility.PUBLIC)
    entry(w, "county_head", at(2, 15), title="内部碰头会")
    entry(w, "county_head", at(2, 20), title="家事", visibility=ScheduleVisibility.PRIVATE)
    entry(w, "deputy", at(4, 14), title="到石门乡督导", visibility=ScheduleVisibility.PUBLIC)

    table = sel.county_week(w.county, WEEK)
    assert table["title"] == "青山县领导周活动安排（2026年11月30日—12月6日）"
    assert [d["label"] for d in table["days"]] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    assert [(r["name"], r["title"]) for r in table["rows"]] == [("李县长", "县长"), ("王副县长", "副县长")]
    head, deputy = table["rows"]
    mon = head["cells"][0]
    assert [(i["time"], i["title"], i["place"]) for i in mon["am"]] == [
        ("09:00", "主持召开县政府常务会议", "县政府第一会议室")
    ]
    assert [(i["time"], i["title"], i["evening"]) for i in mon["pm"]] == [("19:00", "检查防汛工作", True)]
    assert [i["title"] for i in head["cells"][2]["pm"]] == [
        "内部碰头会"
    ]  # internal shown to staff, private never
    assert [i["title"] for i in deputy["cells"][4]["pm"]] == ["到石门乡督导"]
    assert sel.entry_count(table) == 4

    public = sel.county_week(w.county, WEEK, public_only=True)
    assert public["rows"][0]["cells"][2] == {"am": [], "pm": []}
    assert sel.entry_count(public) == 3


def test_county_table_viewers(w: MeetingsWorld) -> None:
    allowed = {"scheduler", "county_head", "deputy", "secretary"}
    for key in ("scheduler", "county_head", "deputy", "secretary", "scj_staff", "organiser", "outsider"):
        assert sel.can_view_county(w.users[key], w.county) is (key in allowed), key


def test_parse_week() -> None:
    assert sel.parse_week("2026-12-03") == WEEK
    assert sel.parse_week("nonsense") == sel.this_week()
    assert sel.parse_week(None) == sel.this_week()
    assert sel.week_label(date(2026, 12, 28)) == "2026年12月28日—2027年1月3日"
