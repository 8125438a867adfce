"""Solicitations and surveys: creating, responding (one per account, rate limit, window), the
summary numbers, results pages (text answers for staff only), XSS, export, the daily close,
the permissions matrix and the API."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongban.core import clock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity import public
from tongban.identity.services import api_token_create
from tongban.interaction import surveys
from tongban.interaction import surveys_selectors as sel
from tongban.interaction.models import QuestionKind, Survey, SurveyKind, SurveyResponse, SurveyStatus
from tongban.interaction.tasks_interviews import surveys_close_due
from tongban.interaction.testing import build_world

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TODAY = date(2026, 9, 15)


@pytest.fixture
def w():
    return build_world()


def questionnaire(w, *, open_=True) -> Survey:
    with clock.moved_to(TODAY):
        s = surveys.survey_create(
            actor=w.users["host"], county=w.county, kind=SurveyKind.QUESTIONNAIRE, title="政务服务满意度",
            body="请花 2 分钟填写。", unit=w.units["zfb"], starts_on=TODAY, ends_on=date(2026, 9, 30),
            questions=[
                {"text": "办过事吗？", "kind": QuestionKind.SINGLE, "options": ["办过", "没有"]},
                {"text": "办事渠道", "kind": QuestionKind.MULTIPLE, "options": ["网上", "窗口", "自助"]},
                {"text": "建议", "kind": QuestionKind.TEXT, "required": False},
            ],
        )  # fmt: skip
        if open_:
            surveys.survey_open(s, actor=w.users["host"])
    return s


def qids(s: Survey) -> list[int]:
    return [q.pk for q in sel.questions(s)]


def test_solicitation_gets_the_default_question(w):
    with clock.moved_to(TODAY):
        s = surveys.survey_create(
            actor=w.users["host"], county=w.county, kind=SurveyKind.SOLICITATION, title="停车管理办法征求意见",
            body="草案全文见附件。", unit=w.units["zfb"], starts_on=TODAY, ends_on=date(2026, 10, 15),
            draft_file=io.BytesIO(b"%PDF-1.4 draft"), draft_name="征求意见稿.pdf",
        )  # fmt: skip
    [q] = sel.questions(s)
    assert q.text == "意见建议" and q.kind == QuestionKind.TEXT and q.required
    assert s.draft_file.name.endswith(".pdf")


def test_bad_surveys_are_refused_and_nothing_is_saved(w):
    base = {"actor": w.users["host"], "county": w.county, "kind": SurveyKind.QUESTIONNAIRE, "title": "t",
            "body": "b", "unit": w.units["zfb"], "starts_on": TODAY, "ends_on": TODAY}  # fmt: skip
    for bad in (
        {"questions": []},
        {"questions": [{"text": "q", "kind": "single", "options": ["只有一个"]}]},
        {"questions": [{"text": "q", "kind": "single", "options": ["a", "a"]}]},
        {"questions": [{"text": "q", "kind": "essay"}]},
        {"ends_on": date(2026, 9, 1), "questions": [{"text": "q", "kind": "text"}]},
        {
            "draft_file": io.BytesIO(b"MZ"),
            "draft_name": "x.exe",
            "questions": [{"text": "q", "kind": "text"}],
        },
    ):
        with pytest.raises(TongbanError):
            surveys.survey_create(**{**base, **bad})
    with pytest.raises(PermissionDenied):
        surveys.survey_create(
            **{**base, "actor": w.users["portaladmin"], "questions": [{"text": "q", "kind": "text"}]}
        )
    assert not Survey.objects.exists()


def test_respond_rules_and_summary_numbers(w):
    s = questionnaire(w)
    a, b, c = qids(s)
    with clock.moved_to(date(2026, 9, 20)):
        surveys.survey_respond(
            s, answers={a: ["办过"], b: ["网上", "窗口"], c: "周末开窗口"}, account=w.citizen
        )
        with pytest.raises(TongbanError) as exc:
            surveys.survey_respond(s, answers={a: ["没有"], b: ["网上"]}, account=w.citizen)
        assert exc.value.code == "surveys.already_responded"
        surveys.survey_respond(s, answers={a: "没有", b: ["自助"]}, account=w.citizen2)
        surveys.survey_respond(s, answers={a: ["办过"], b: ["网上"]}, name="匿名")
        surveys.survey_respond(s, answers={a: ["办过"], b: ["窗口"], c: "材料说明写清楚"})
        for bad in (
            {a: ["办过", "没有"], b: ["网上"]},
            {a: ["也许"], b: ["网上"]},
            {b: ["网上"]},
            {a: ["办过"]},
        ):
            with pytest.raises(TongbanError):
                surveys.survey_respond(s, answers=bad)
    with clock.moved_to(date(2026, 10, 1)), pytest.raises(TongbanError) as exc:  # after the end date
        surveys.survey_respond(s, answers={a: ["办过"], b: ["网上"]})
    assert exc.value.code == "surveys.closed"
    assert SurveyResponse.objects.filter(survey=s).count() == 4
    result = sel.summary(s, with_texts=True)
    assert result["total"] == 4
    single, multiple, text = result["questions"]
    assert [(o.label, o.count, o.percent) for o in single.options] == [("办过", 3, 75.0), ("没有", 1, 25.0)]
    assert [(o.label, o.count, o.percent) for o in multiple.options] == [
        ("网上", 2, 50.0), ("窗口", 2, 50.0), ("自助", 1, 25.0)
    ]  # fmt: skip
    assert text.answered == 2 and sorted(text.texts) == ["周末开窗口", "材料说明写清楚"]
    assert sel.chart_data(result)[0] == {"id": a, "labels": ["办过", "没有"], "counts": [3, 1]}


def test_close_due_job_and_result_feedback(w):
    s = questionnaire(w)
    with clock.moved_to(date(2026, 9, 30)):
        assert surveys.close_due() == 0
    with clock.moved_to(date(2026, 10, 1)):
        assert surveys_close_due.call() == 1
        assert surveys.close_due() == 0  # safe to run twice
    s.refresh_from_db()
    assert s.status == SurveyStatus.CLOSED
    with pytest.raises(PermissionDenied):
        surveys.survey_publish_result(s, actor=w.users["portaladmin"], text="x")
    s = surveys.survey_publish_result(s, actor=w.users["host"], text="采纳 3 条建议。")
    assert s.status == SurveyStatus.REPORTED and s.result_summary == "采纳 3 条建议。"


def _form_post(client: Client, s: Survey, data: dict) -> object:
    page = client.get(reverse("surveys_public:detail", args=[s.pk]))
    form = page.context["form"]
    x, y = form.challenge_question.split(" = ")[0].split(" + ")
    payload = {"challenge": str(int(x) + int(y)), "challenge_token": form.initial["challenge_token"], **data}
    return client.post(reverse("surveys_public:respond", args=[s.pk]), payload)


def test_public_respond_xss_rate_limit_and_results(w, client):
    s = questionnaire(w)
    a, b, c = qids(s)
    with clock.moved_to(date(2026, 9, 20)):
        page = client.get(reverse("surveys_public:detail", args=[s.pk])).content.decode()
        assert "办过事吗？" in page and 'type="radio"' in page and 'type="checkbox"' in page
        r = _form_post(
            client, s, {f"q_{a}": "办过", f"q_{b}": ["网上"], f"q_{c}": XSS, "name": XSS, "phone": ""}
        )
        assert r.status_code == 302
        assert SurveyResponse.objects.get().name == XSS
        r = _form_post(client, s, {f"q_{a}": "办过", f"q_{b}": ["网上"], "challenge": "99"})
        assert r.status_code == 400
        for _ in range(2):
            assert _form_post(client, s, {f"q_{a}": "没有", f"q_{b}": ["自助"]}).status_code == 302
        r = _form_post(client, s, {f"q_{a}": "没有", f"q_{b}": ["自助"]})
        assert r.status_code == 400 and "提交过于频繁" in r.content.decode()
        assert SurveyResponse.objects.count() == 3
        # results only after the end
        assert client.get(reverse("surveys_public:results", args=[s.pk])).status_code == 404
    with clock.moved_to(date(2026, 10, 2)):
        surveys.close_due()
        html = client.get(reverse("surveys_public:results", args=[s.pk])).content.decode()
        assert "echarts.min.js" in html and "66.7%" in html and "33.3%" in html
        assert XSS not in html and ESCAPED not in html  # text answers are not public
        staff = Client()
        staff.force_login(w.users["host"])
        html = staff.get(reverse("surveys:detail", args=[s.pk])).content.decode()
        assert XSS not in html and ESCAPED in html  # staff read the text answers, escaped


def test_logged_in_account_responds_once_through_the_page(w, client):
    s = questionnaire(w)
    a, b, _c = qids(s)
    session = client.session
    session[public.SESSION_KEY] = w.citizen.pk
    session[public.SESSION_HASH] = public._hash(w.citizen)
    session.save()
    with clock.moved_to(date(2026, 9, 20)):
        assert _form_post(client, s, {f"q_{a}": "办过", f"q_{b}": ["网上"]}).status_code == 302
        page = client.get(reverse("surveys_public:detail", args=[s.pk]))
        assert page.context["already"] and page.context["form"] is None
    assert SurveyResponse.objects.get().account == w.citizen


def test_staff_pages_permissions_and_export(w, client):
    s = questionnaire(w)
    a, b, c = qids(s)
    with clock.moved_to(date(2026, 9, 20)):
        surveys.survey_respond(
            s, answers={a: ["办过"], b: ["网上", "窗口"], c: "=1+1"}, name="张三", phone="13900000000"
        )
    urls = [
        reverse("surveys:index"),
        reverse("surveys:detail", args=[s.pk]),
        reverse("surveys:export", args=[s.pk]),
    ]
    for u in urls:
        assert client.get(u).status_code == 302
    for who in ("outsider", "scj_letters", "editor"):
        client.force_login(w.users[who])
        assert client.get(urls[0]).status_code == 403
        assert client.get(urls[1]).status_code == 404
        assert client.get(urls[2]).status_code == 404
        assert client.post(reverse("surveys:action", args=[s.pk, "close"])).status_code == 404
    client.force_login(w.users["portaladmin"])
    assert client.get(urls[1]).status_code == 200
    assert client.post(reverse("surveys:action", args=[s.pk, "close"])).status_code == 403
    s.refresh_from_db()
    assert s.status == SurveyStatus.OPEN
    client.force_login(w.users["host"])
    r = client.get(urls[2])
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][3:] == ("办过事吗？", "办事渠道", "建议")
    assert rows[1][1:] == ("张三", "13900000000", "办过", "网上；窗口", "'=1+1")


def test_host_creates_and_runs_a_survey_through_the_pages(w, client):
    client.force_login(w.users["host"])
    with clock.moved_to(TODAY):
        r = client.post(reverse("surveys:create"), {
            "kind": "questionnaire", "title": "公交线路调查", "body": "说明", "unit": w.units["zfb"].pk,
            "starts_on": "2026-09-15", "ends_on": "2026-09-30",
            "questions": "[单选] 您常坐公交吗？\n- 常坐\n- 偶尔\n[多选 选填] 希望增加的线路\n- 城东\n- 城西\n[文字] 其他建议",
        })  # fmt: skip
        assert r.status_code == 302, r.content.decode()[:3000]
        s = Survey.objects.get(title="公交线路调查")
        kinds = [(q.kind, q.required, q.options) for q in sel.questions(s)]
        assert kinds == [
            ("single", True, ["常坐", "偶尔"]),
            ("multiple", False, ["城东", "城西"]),
            ("text", True, []),
        ]
        r = client.post(reverse("surveys:create"), {
            "kind": "questionnaire", "title": "坏题目", "body": "b", "unit": w.units["zfb"].pk,
            "starts_on": "2026-09-15", "ends_on": "2026-09-30", "questions": "您常坐公交吗？",
        })  # fmt: skip
        assert r.status_code == 400 and not Survey.objects.filter(title="坏题目").exists()
        client.post(reverse("surveys:action", args=[s.pk, "open"]))
        s.refresh_from_db()
        assert s.status == SurveyStatus.OPEN
        client.post(reverse("surveys:action", args=[s.pk, "close"]))
        client.post(reverse("surveys:action", args=[s.pk, "result"]), {"result_summary": "将增开城东线。"})
    s.refresh_from_db()
    assert s.status == SurveyStatus.REPORTED and s.result_summary == "将增开城东线。"


def test_public_index_lists_open_and_closed(w, client):
    s = questionnaire(w)
    draft = questionnaire(w, open_=False)
    with clock.moved_to(date(2026, 9, 20)):
        html = client.get(reverse("surveys_public:index")).content.decode()
        assert reverse("surveys_public:detail", args=[s.pk]) in html
        assert reverse("surveys_public:detail", args=[draft.pk]) not in html
        assert client.get(reverse("surveys_public:detail", args=[draft.pk])).status_code == 404
        assert [x.pk for x in sel.open_surveys(w.county)] == [s.pk]


# --- API -------------------------------------------------------------------------------------------
def _bearer(user) -> dict:
    _token, raw = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_staff_and_public(w, client):
    host = _bearer(w.users["host"])
    with clock.moved_to(TODAY):
        r = client.post("/api/v1/surveys/", {
            "kind": "questionnaire", "title": "接口问卷", "body": "b", "unit_id": w.units["zfb"].pk,
            "starts_on": "2026-09-15", "ends_on": "2026-09-30",
            "questions": [{"text": "满意吗", "kind": "single", "options": ["满意", "不满意"]}],
        }, content_type="application/json", **host)  # fmt: skip
        assert r.status_code == 201, r.content
        pk = r.json()["id"]
        qid = r.json()["questions"][0]["id"]
        outsider = _bearer(w.users["outsider"])
        assert client.post(f"/api/v1/surveys/{pk}/open", **outsider).status_code == 404
        assert client.post(f"/api/v1/surveys/{pk}/open", **_bearer(w.users["portaladmin"])).status_code == 403
        assert Survey.objects.get(pk=pk).status == SurveyStatus.DRAFT
        assert client.post(f"/api/v1/surveys/{pk}/open", **host).json()["status"] == "open"
        assert client.get("/api/v1/surveys/").status_code == 401
        anon = Client()
        assert [x["id"] for x in anon.get("/api/v1/public/surveys/").json()["open"]] == [pk]
        detail = anon.get(f"/api/v1/public/surveys/{pk}").json()
        assert detail["questions"][0]["options"] == ["满意", "不满意"]
        r = anon.post(f"/api/v1/public/surveys/{pk}/responses", {"answers": {str(qid): ["满意"]}},
                      content_type="application/json")  # fmt: skip
        assert r.status_code == 201, r.content
        r = anon.post(f"/api/v1/public/surveys/{pk}/responses", {"answers": {str(qid): ["也许"]}},
                      content_type="application/json")  # fmt: skip
        assert r.status_code == 400
        assert anon.get(f"/api/v1/public/surveys/{pk}/results").status_code == 404
        assert client.post(f"/api/v1/surveys/{pk}/close", **host).json()["status"] == "closed"
        res = anon.get(f"/api/v1/public/surveys/{pk}/results").json()
        assert res["total"] == 1 and res["questions"][0]["options"][0] == {
            "label": "满意",
            "count": 1,
            "percent": 100.0,
        }
        staff = client.get(f"/api/v1/surveys/{pk}/results", **host).json()
        assert staff["total"] == 1


def test_demo_surveys_are_believable_and_idempotent():
    from tongban.core.demo import DemoContext
    from tongban.interaction import demo_surveys
    from tongban.orgs.demo import COUNTY_CODE

    w = build_world(code=COUNTY_CODE)
    assert "新建 2 项" in demo_surveys.seed(DemoContext(usernames=[]))
    assert "新建 0 项" in demo_surveys.seed(DemoContext(usernames=[]))
    closed = Survey.objects.get(county=w.county, status=SurveyStatus.REPORTED)
    result = sel.summary(closed, with_texts=True)
    assert result["total"] == 200
    single = result["questions"][1]
    assert [o.count for o in single.options] == [70, 85, 33, 12] and sum(
        o.percent for o in single.options
    ) == 100.0
    assert result["questions"][3].texts
    assert [s.kind for s in sel.open_surveys(w.county)] == [SurveyKind.SOLICITATION]
