"""Letters (领导信箱): the clock across real holidays with exact dates, every step of the loop and
its refusals (nothing changed), reminders once, the rating default, re-handling once, the
selectors of the contract (published letters, public statistics, unanswered > 3 months)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.interaction import letters
from tongban.interaction import letters_clock as lclock
from tongban.interaction import letters_selectors as sel
from tongban.interaction.models import (
    DraftStatus,
    Letter,
    LetterEvent,
    LetterEventKind,
    LetterStatus,
    Rating,
)
from tongban.interaction.testing import InteractionWorld, build_world
from tongban.interaction.tests.test_letters_support import answered, mailboxes, snapshot, write
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    cache.clear()
    workcal.invalidate()
    yield
    cache.clear()


@pytest.fixture
def w(db: Any) -> InteractionWorld:
    return build_world()


@pytest.fixture
def boxes(w: InteractionWorld) -> Any:
    return mailboxes(w)


@pytest.fixture
def sms_file(settings: Any, tmp_path: Any) -> Any:
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    return tmp_path / "sms.log"


# --- the clock ---------------------------------------------------------------------------------
def test_consult_before_national_day_2026_is_due_on_the_makeup_saturday(boxes: Any) -> None:
    # Wed 30 Sep 2026 is a working day (day 0); 1–7 Oct are off; 8 (Thu), 9 (Fri) and Sat 10 Oct
    # (a make-up working day) are working days 1, 2, 3.
    letter = write(boxes[0], on=date(2026, 9, 30), kind="consult")
    assert letter.received_on == date(2026, 9, 30)
    assert letter.due_on == date(2026, 10, 10)
    assert lclock.remind_before_on(letter.due_on) == date(2026, 10, 9)
    assert lclock.overdue_remind_on(letter.due_on) == date(2026, 10, 12)  # Sun 11 Oct is off


def test_complaint_across_spring_festival_2026_takes_13_working_days(boxes: Any) -> None:
    # Thu 12 Feb 2026 (day 0). Working days: 13 Feb, Sat 14 Feb (make-up), [15–23 Feb off],
    # 24, 25, 26, 27, Sat 28 Feb (make-up), 2, 3, 4, 5, 6, 9 Mar → the 13th is Mon 9 Mar.
    letter = write(boxes[0], on=date(2026, 2, 12), kind="complaint")
    assert letter.received_on == date(2026, 2, 12)
    assert letter.due_on == date(2026, 3, 9)


def test_letter_written_during_the_holiday_is_received_on_the_next_working_day(boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 2, 17), kind="consult")  # 初一, off
    assert letter.received_on == date(2026, 2, 24)
    assert letter.due_on == date(2026, 2, 27)
    help_letter = write(boxes[0], on=date(2026, 2, 17), kind="help")  # 5 working days
    assert help_letter.due_on == date(2026, 3, 2)


def test_on_time_and_rating_window(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 10))
    assert letter.status == LetterStatus.ANSWERED
    assert letter.answered_on == date(2026, 10, 10) and letter.on_time is True
    # 20 working days after Sat 10 Oct: 12–16, 19–23, 26–30 Oct, 2–6 Nov → Fri 6 Nov.
    assert letter.rating_due_on == date(2026, 11, 6)
    late = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 12))
    assert late.on_time is False


def test_clock_fields_are_recomputed_from_events(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    Letter.objects.filter(pk=letter.pk).update(due_on=date(2030, 1, 1))
    letter.refresh_from_db()
    lclock.recompute(letter)
    assert letter.due_on == date(2026, 10, 10)


# --- the loop ----------------------------------------------------------------------------------
def test_full_loop_route_draft_return_approve_publish_rate(
    w: InteractionWorld, boxes: Any, sms_file: Any, django_capture_on_commit_callbacks: Any
) -> None:
    office, handler = w.users["mailbox"], w.users["scj_letters"]
    with tclock.moved_to(date(2026, 9, 30)):
        letter = write(boxes[0])
        assert letter.status == LetterStatus.RECEIVED and letter.tracking_code.startswith("XJ20260930")
        letters.letter_route(letter=letter, actor=office, unit_id=w.units["scj"].pk, note="请市场监管局答复")
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ROUTED and letter.routed_to == w.units["scj"]
        assert Notification.objects.filter(user=handler, event="letters.routed").count() == 1
        draft = letters.reply_save(letter=letter, actor=handler, content="初稿", submit=False)
        assert draft.status == DraftStatus.DRAFT
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ROUTED
        letters.reply_save(letter=letter, actor=handler, content="第一稿", submit=True)
        letter.refresh_from_db()
        assert letter.status == LetterStatus.REVIEW
        assert Notification.objects.filter(user=office, event="letters.reply_submitted").count() == 1
        letters.reply_review(letter=letter, actor=office, approve=False, note="请写明办理地点")
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ROUTED
        assert Notification.objects.filter(user=handler, event="letters.reply_returned").count() == 1
        second = letters.reply_save(
            letter=letter, actor=handler, content="请到政务服务中心二楼办理。", submit=True
        )
        assert second.pk == draft.pk  # the returned draft is revised, not duplicated
    with tclock.moved_to(date(2026, 10, 8)):
        with django_capture_on_commit_callbacks(execute=True):
            letters.reply_review(letter=letter, actor=office, approve=True)
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ANSWERED
        assert letter.reply_unit == w.units["scj"] and letter.reply_content == "请到政务服务中心二楼办理。"
        assert letter.answered_on == date(2026, 10, 8) and letter.on_time is True
        sms = [json.loads(x) for x in sms_file.read_text(encoding="utf-8").splitlines()]
        assert len(sms) == 1 and sms[0]["to"] == letter.phone and letter.tracking_code in sms[0]["text"]
        # the SMS task is safe to run twice
        assert letters.letter_send_answer_sms(letter_id=letter.pk) == "skipped"
        letters.letter_publish(letter=letter, actor=office, publish=True)
        letter.refresh_from_db()
        assert letter.is_published and letter.published_at is not None
        assert list(sel.published_letters(w.county)) == [letter]
        letters.letter_rate(letter=letter, rating=Rating.SATISFIED, comment="答复很清楚")
        letter.refresh_from_db()
        assert letter.status == LetterStatus.CLOSED and letter.rating == Rating.SATISFIED
    kinds = list(letter.events.values_list("kind", flat=True))
    assert kinds == [
        "received", "routed", "drafted", "draft_returned", "drafted", "answered", "published", "rated", "closed",
    ]  # fmt: skip
    assert AuditRecord.objects.filter(event="letters.routed", object_id=str(letter.pk)).exists()
    assert AuditRecord.objects.filter(event="letters.answer_sms_sent").count() == 1


def test_department_mailbox_goes_straight_to_the_unit(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[1], on=date(2026, 9, 30))
    assert letter.status == LetterStatus.ROUTED and letter.routed_to == w.units["scj"]
    assert Notification.objects.filter(user=w.users["scj_letters"], event="letters.routed").exists()
    letters.reply_save(letter=letter, actor=w.users["scj_letters"], content="答复", submit=True)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.REVIEW  # the office still reviews it


def test_unit_returns_a_misrouted_letter(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    letters.letter_route(letter=letter, actor=w.users["mailbox"], unit_id=w.units["czj"].pk)
    with pytest.raises(TongbanError) as e:
        letters.letter_return(letter=letter, actor=w.users["cz_letters"], reason="  ")
    assert e.value.code == "letters.reason_required"
    letters.letter_return(letter=letter, actor=w.users["cz_letters"], reason="不属于本单位职责")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.RECEIVED and letter.routed_to is None
    assert Notification.objects.filter(user=w.users["mailbox"], event="letters.unit_returned").exists()


def test_office_answers_directly(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    with tclock.moved_to(date(2026, 9, 30)):
        letters.letter_answer(letter=letter, actor=w.users["mailbox"], content="可拨打 12345 咨询。")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ANSWERED and letter.reply_unit == w.units["zfb"]
    assert letter.on_time is True


def test_invalid_letter_is_not_counted_and_never_published(w: InteractionWorld, boxes: Any) -> None:
    good = answered(w, boxes[0], on=date(2026, 9, 30))
    spam = write(boxes[0], on=date(2026, 9, 30), title="广告")
    with pytest.raises(TongbanError):
        letters.letter_invalidate(letter=spam, actor=w.users["mailbox"], category="nonsense", reason="广告")
    letters.letter_invalidate(letter=spam, actor=w.users["mailbox"], category="spam", reason="商业广告")
    spam.refresh_from_db()
    assert spam.status == LetterStatus.INVALID and spam.on_time is None
    with tclock.moved_to(date(2026, 10, 9)):
        stats = sel.public_stats(w.county, year=2026)
    assert stats["received"] == 1 and stats["answered"] == 1
    before = snapshot(spam)
    with pytest.raises(TongbanError) as e:
        letters.letter_publish(letter=spam, actor=w.users["mailbox"], publish=True)
    assert e.value.code == "letters.bad_state" and snapshot(spam) == before
    assert good.status == LetterStatus.ANSWERED


def test_publication_needs_the_writers_consent(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), may_publish=False)
    before = snapshot(letter)
    with pytest.raises(TongbanError) as e:
        letters.letter_publish(letter=letter, actor=w.users["mailbox"], publish=True)
    assert e.value.code == "letters.not_publishable" and snapshot(letter) == before


@pytest.mark.parametrize("who", ["scj_letters", "cz_letters", "outsider", "editor"])
def test_only_the_office_routes_reviews_answers_invalidates_publishes(
    w: InteractionWorld, boxes: Any, who: str
) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    before = snapshot(letter)
    actor = w.users[who]
    for call in (
        lambda: letters.letter_route(letter=letter, actor=actor, unit_id=w.units["scj"].pk),
        lambda: letters.letter_answer(letter=letter, actor=actor, content="x"),
        lambda: letters.letter_invalidate(letter=letter, actor=actor, category="spam", reason="x"),
        lambda: letters.letter_publish(letter=letter, actor=actor, publish=True),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot(letter) == before


def test_only_the_routed_units_handler_drafts_or_returns(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    letters.letter_route(letter=letter, actor=w.users["mailbox"], unit_id=w.units["scj"].pk)
    before = snapshot(letter)
    for who in ("cz_letters", "mailbox", "outsider", "scj_staff"):
        with pytest.raises(PermissionDenied):
            letters.reply_save(letter=letter, actor=w.users[who], content="x", submit=True)
        with pytest.raises(PermissionDenied):
            letters.letter_return(letter=letter, actor=w.users[who], reason="x")
    assert snapshot(letter) == before
    # the access function hides the letter from another unit's handler and outsiders
    with pytest.raises(NotFound):
        sel.get_letter_for(w.users["cz_letters"], letter.pk)
    with pytest.raises(PermissionDenied):
        sel.get_letter_for(w.users["outsider"], letter.pk)
    assert sel.get_letter_for(w.users["scj_letters"], letter.pk) == letter


def test_wrong_state_is_refused_and_changes_nothing(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    before = snapshot(letter)
    with pytest.raises(TongbanError) as e:
        letters.reply_review(letter=letter, actor=w.users["mailbox"], approve=True)
    assert e.value.code == "letters.bad_state"
    with pytest.raises(TongbanError):
        letters.letter_urge(letter=letter, actor=w.users["mailbox"], note="x")
    with pytest.raises(TongbanError):
        letters.letter_rate(letter=letter, rating=Rating.SATISFIED)
    with pytest.raises(TongbanError):
        letters.letter_rehandle(letter=letter, reason="不满意")
    with pytest.raises(TongbanError) as e:
        letters.letter_route(letter=letter, actor=w.users["mailbox"], unit_id=None)
    assert e.value.code == "letters.unit_required"
    assert snapshot(letter) == before


def test_bad_input_is_refused_with_the_field(boxes: Any) -> None:
    for kw, code in (
        ({"title": ""}, "letters.title_required"),
        ({"title": "长" * 101}, "letters.title_too_long"),
        ({"content": "  "}, "letters.content_required"),
        ({"writer_name": ""}, "letters.writer_name_required"),
        ({"phone": "12345"}, "letters.bad_phone"),
        ({"email": "not-an-email"}, "letters.bad_email"),
        ({"kind": "praise"}, "letters.bad_kind"),
    ):
        with pytest.raises(TongbanError) as e:
            write(boxes[0], **kw)
        assert e.value.code == code
    assert Letter.objects.count() == 0 and LetterEvent.objects.count() == 0


def test_urge_notifies_the_unit(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    letters.letter_route(letter=letter, actor=w.users["mailbox"], unit_id=w.units["scj"].pk)
    letters.letter_urge(letter=letter, actor=w.users["mailbox"], note="请今日答复")
    assert Notification.objects.filter(user=w.users["scj_letters"], event="letters.urged").count() == 1
    assert letter.events.filter(kind=LetterEventKind.REMINDED, data__type="urge").count() == 1


# --- reminders, rating default, re-handling ----------------------------------------------------
def test_reminders_before_and_after_the_deadline_once_each(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))  # due Sat 10 Oct 2026
    letters.letter_route(letter=letter, actor=w.users["mailbox"], unit_id=w.units["scj"].pk)
    handler, office = w.users["scj_letters"], w.users["mailbox"]
    assert letters.send_reminders(today=date(2026, 10, 8)) == 0
    assert letters.send_reminders(today=date(2026, 10, 9)) == 1  # one working day before
    assert letters.send_reminders(today=date(2026, 10, 9)) == 0  # once
    assert letters.send_reminders(today=date(2026, 10, 10)) == 0
    assert Notification.objects.filter(user=handler, event="letters.due_soon").count() == 1
    assert Notification.objects.filter(user=office, event="letters.due_soon").count() == 1
    assert letters.send_reminders(today=date(2026, 10, 11)) == 0  # Sunday: not yet the working day after
    assert letters.send_reminders(today=date(2026, 10, 12)) == 1  # the working day after the miss
    assert letters.send_reminders(today=date(2026, 10, 13)) == 0
    assert Notification.objects.filter(user=handler, event="letters.overdue").count() == 1
    assert Notification.objects.filter(user=office, event="letters.overdue").count() == 1
    reminded = letter.events.filter(kind=LetterEventKind.REMINDED)
    assert sorted(e.data["type"] for e in reminded) == ["due_soon", "overdue"]


def test_answered_letters_get_no_reminder(w: InteractionWorld, boxes: Any) -> None:
    answered(w, boxes[0], on=date(2026, 9, 30))
    assert letters.send_reminders(today=date(2026, 10, 9)) == 0
    assert letters.send_reminders(today=date(2026, 10, 12)) == 0


def test_rating_defaults_to_satisfied_after_20_working_days(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 10))
    assert letter.rating_due_on == date(2026, 11, 6)
    assert letters.close_expired(today=date(2026, 11, 6)) == 0  # the last day of the window
    assert letters.close_expired(today=date(2026, 11, 7)) == 1
    assert letters.close_expired(today=date(2026, 11, 8)) == 0  # once
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED
    assert letter.rating == Rating.SATISFIED and letter.rating_defaulted is True
    assert letter.events.filter(kind=LetterEventKind.RATING_DEFAULTED).count() == 1
    with tclock.moved_to(date(2026, 11, 9)), pytest.raises(TongbanError):
        letters.letter_rate(letter=letter, rating=Rating.UNSATISFIED)


def test_unsatisfied_rating_keeps_the_window_then_closes_without_default(
    w: InteractionWorld, boxes: Any
) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 10))
    with tclock.moved_to(date(2026, 10, 12)):
        letters.letter_rate(letter=letter, rating=Rating.UNSATISFIED, comment="没有解决问题")
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ANSWERED
        assert letters.can_rehandle(letter) and not letters.can_rate(letter)
    assert letters.close_expired(today=date(2026, 11, 7)) == 1
    letter.refresh_from_db()
    assert (
        letter.status == LetterStatus.CLOSED
        and letter.rating == Rating.UNSATISFIED
        and not letter.rating_defaulted
    )


def test_rehandle_once_restarts_the_clock_from_the_rehandling_day(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 9))
    letters.letter_publish(letter=letter, actor=w.users["mailbox"], publish=True)
    with tclock.moved_to(date(2026, 10, 16)):  # Fri
        with pytest.raises(TongbanError) as e:
            letters.letter_rehandle(letter=letter, reason="")
        assert e.value.code == "letters.reason_required"
        letters.letter_rehandle(letter=letter, reason="仍未说明办理时限")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.RECEIVED and letter.rehandle_count == 1
    assert letter.routed_to is None and letter.reply_content == "" and letter.answered_on is None
    assert letter.is_published is False  # withdrawn while re-handled
    # 咨询: 3 working days from Fri 16 Oct → Mon 19, Tue 20, Wed 21 Oct.
    assert letter.due_on == date(2026, 10, 21)
    assert Notification.objects.filter(user=w.users["mailbox"], event="letters.rehandle").exists()
    assert letter.events.filter(kind=LetterEventKind.RATED, data__rating="unsatisfied").exists()
    with tclock.moved_to(date(2026, 10, 20)):
        letters.letter_answer(letter=letter, actor=w.users["mailbox"], content="补充答复：5 个工作日内办结。")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ANSWERED and letter.on_time is True
    before = snapshot(letter)
    with tclock.moved_to(date(2026, 10, 21)), pytest.raises(TongbanError) as e:
        letters.letter_rehandle(letter=letter, reason="还是不满意")
    assert e.value.code == "letters.rehandle_used" and snapshot(letter) == before
    with tclock.moved_to(date(2026, 10, 21)):
        assert letters.can_rate(letter) and not letters.can_rehandle(letter)


def test_rehandle_after_the_window_or_after_a_good_rating_is_refused(w: InteractionWorld, boxes: Any) -> None:
    late = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 10))
    before = snapshot(late)
    with tclock.moved_to(date(2026, 11, 9)), pytest.raises(TongbanError) as e:
        letters.letter_rehandle(letter=late, reason="不满意")
    assert e.value.code == "letters.rating_closed" and snapshot(late) == before
    happy = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 10))
    with tclock.moved_to(date(2026, 10, 12)):
        letters.letter_rate(letter=happy, rating=Rating.BASIC)
        with pytest.raises(TongbanError):
            letters.letter_rehandle(letter=happy, reason="不满意")


# --- selectors of the contract -----------------------------------------------------------------
def test_public_stats(w: InteractionWorld, boxes: Any) -> None:
    a = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 9))  # on time
    b = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 12), kind="consult")  # late
    answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 9), kind="complaint")
    write(boxes[0], on=date(2026, 10, 12), kind="help")
    with tclock.moved_to(date(2026, 10, 13)):
        letters.letter_rate(letter=a, rating=Rating.SATISFIED)
        letters.letter_rate(letter=b, rating=Rating.UNSATISFIED)
        s = sel.public_stats(w.county, year=2026)
    assert (s["received"], s["answered"], s["on_time"]) == (4, 3, 2)
    assert s["on_time_rate"] == 66.7 and s["rated"] == 2 and s["satisfaction_rate"] == 50.0
    assert {k["kind"]: k["count"] for k in s["by_kind"]} == {
        "consult": 2,
        "complaint": 1,
        "suggestion": 0,
        "help": 1,
    }
    months = {m["month"]: (m["received"], m["answered"]) for m in s["by_month"]}
    assert months["2026-09"] == (3, 0) and months["2026-10"] == (1, 3)


def test_overdue_unanswered_is_the_three_month_rule(w: InteractionWorld, boxes: Any) -> None:
    old = write(boxes[0], on=date(2026, 6, 1))
    write(boxes[0], on=date(2026, 8, 3))
    answered(w, boxes[0], on=date(2026, 5, 6))
    with tclock.moved_to(date(2026, 9, 1)):
        assert list(sel.overdue_unanswered(w.county)) == [old]  # received 1 Jun < 3 Jun cut-off
        assert sel.overdue_unanswered(w.county, older_than_days=20).count() == 2


def test_mask_name() -> None:
    assert sel.mask_name("张三") == "张*"
    assert sel.mask_name("张三丰") == "张**"
    assert sel.mask_name("欧阳明明明") == "欧***"
    assert sel.mask_name("") == ""


def test_box_counts_and_pending_badge(w: InteractionWorld, boxes: Any) -> None:
    write(boxes[0], on=date(2026, 9, 30))
    routed = write(boxes[0], on=date(2026, 9, 30))
    letters.letter_route(letter=routed, actor=w.users["mailbox"], unit_id=w.units["scj"].pk)
    write(boxes[1], on=date(2026, 9, 30))  # straight to 市场监管局
    counts = sel.box_counts(w.users["mailbox"])
    assert counts["received"] == 1 and counts["routed"] == 2 and counts["all"] == 3
    assert sel.pending_count(w.users["mailbox"]) == 1
    assert sel.pending_count(w.users["scj_letters"]) == 2
    assert sel.pending_count(w.users["cz_letters"]) == 0
    assert sel.box_counts(w.users["scj_letters"]) == {"todo": 2, "submitted": 0, "done": 0}


# --- demo --------------------------------------------------------------------------------------
def test_demo_seeds_letters_in_every_state_consistent_with_their_events(db: Any) -> None:
    from tongban.core.demo import DemoContext
    from tongban.interaction import demo_letters
    from tongban.orgs.demo import COUNTY_CODE

    w = build_world(code=COUNTY_CODE)
    with tclock.moved_to(date(2026, 11, 20)):
        summary = demo_letters.seed(DemoContext(usernames=[]))
        assert "150 封来信" in summary
        assert demo_letters.seed(DemoContext(usernames=[])) == "领导信箱：演示来信已存在"
        states = set(Letter.objects.values_list("status", flat=True))
        assert states == set(LetterStatus.values)
        for letter in Letter.objects.prefetch_related("events"):
            c = lclock.compute(letter.kind, list(letter.events.all()), fallback_received=letter.received_on)
            assert (c.due_on, c.answered_on, c.on_time, c.rating_due_on) == (
                letter.due_on, letter.answered_on, letter.on_time, letter.rating_due_on,
            ), letter.tracking_code  # fmt: skip
        assert sel.published_letters(w.county).count() >= 30
        assert sel.overdue_unanswered(w.county, older_than_days=20).exists()
        s = sel.public_stats(w.county, year=2026)
        assert s["on_time_rate"] is not None and s["on_time_rate"] > 80
