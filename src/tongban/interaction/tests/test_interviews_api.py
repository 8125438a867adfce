"""The interviews API: staff actions with a bearer token (and who is refused, changing nothing),
the public list, detail, live feed since a version (204 without a query) and asking."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tongban.core import clock
from tongban.identity.services import api_token_create
from tongban.interaction.models import Interview, InterviewQuestion, InterviewStatus, QuestionStatus
from tongban.interaction.testing import build_world

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, mi))


def _bearer(user) -> dict:
    _token, raw = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_interview_api_end_to_end(client, django_assert_max_num_queries):
    w = build_world()
    host = _bearer(w.users["host"])
    body = {
        "title": "营商环境", "summary": "交流", "host_unit_id": w.units["scj"].pk,
        "starts_at": "2026-09-30T10:00:00+08:00", "ends_at": "2026-09-30T11:00:00+08:00",
        "guests": [{"name": "陈局长", "title": "局长", "user_id": w.users["guest"].pk}],
    }  # fmt: skip
    with clock.moved_to(at(2026, 9, 20)):
        too_long = {**body, "ends_at": "2026-09-30T11:01:00+08:00"}
        r = client.post("/api/v1/interviews/", too_long, content_type="application/json", **host)
        assert r.status_code == 400 and r.json()["code"] == "interviews.too_long"
        for who in ("outsider", "portaladmin", "scj_letters"):
            r = client.post(
                "/api/v1/interviews/", body, content_type="application/json", **_bearer(w.users[who])
            )
            assert r.status_code == 403
        assert not Interview.objects.exists()
        r = client.post("/api/v1/interviews/", body, content_type="application/json", **host)
        assert r.status_code == 201, r.content
        pk = r.json()["id"]
        assert (
            client.post(f"/api/v1/interviews/{pk}/announce", **_bearer(w.users["outsider"])).status_code
            == 404
        )
        assert (
            client.post(f"/api/v1/interviews/{pk}/announce", **_bearer(w.users["portaladmin"])).status_code
            == 403
        )
        assert Interview.objects.get(pk=pk).status == InterviewStatus.DRAFT
    with clock.moved_to(at(2026, 9, 28)):  # 2 days ahead: too late
        r = client.post(f"/api/v1/interviews/{pk}/announce", **host)
        assert r.status_code == 400 and r.json()["code"] == "interviews.announce_too_late"
    with clock.moved_to(at(2026, 9, 25)):
        assert client.post(f"/api/v1/interviews/{pk}/announce", **host).json()["status"] == "announced"
    anon = Client()
    listing = anon.get("/api/v1/public/interviews/").json()
    assert [i["id"] for i in listing["upcoming"]] == [pk]
    assert anon.get(f"/api/v1/public/interviews/{pk}").json()["guests"][0]["name"] == "陈局长"
    r = anon.post(f"/api/v1/public/interviews/{pk}/questions", {"nickname": XSS, "content": "提前问"},
                  content_type="application/json")  # fmt: skip
    assert r.status_code == 201
    with clock.moved_to(at(2026, 9, 30, 9, 50)):
        assert client.post(f"/api/v1/interviews/{pk}/start", **host).json()["status"] == "live"
        feed = anon.get(f"/api/v1/public/interviews/{pk}/feed").json()
        assert feed["items"] == []
        version = feed["version"]
        with django_assert_max_num_queries(0):
            assert anon.get(f"/api/v1/public/interviews/{pk}/feed", {"since": version}).status_code == 204
        qid = r.json()["id"]
        pending = client.get(f"/api/v1/interviews/{pk}/questions?status=pending", **host).json()
        assert [q["id"] for q in pending] == [qid]
        guest_token = _bearer(w.users["guest"])
        r = client.post(f"/api/v1/interviews/questions/{qid}/moderate", {"approve": True},
                        content_type="application/json", **guest_token)  # fmt: skip
        assert r.status_code == 403
        assert InterviewQuestion.objects.get(pk=qid).status == QuestionStatus.PENDING
        r = client.post(f"/api/v1/interviews/questions/{qid}/moderate", {"approve": True},
                        content_type="application/json", **host)  # fmt: skip
        assert r.json()["status"] == "approved"
        r = client.post(f"/api/v1/interviews/questions/{qid}/answer", {"answer": "可以提前问。"},
                        content_type="application/json", **guest_token)  # fmt: skip
        assert r.status_code == 200 and r.json()["answered_by"] == "陈局长"
    with clock.moved_to(at(2026, 9, 30, 10, 5)):
        r = client.post(f"/api/v1/interviews/{pk}/posts", {"speaker": "主持人", "content": "欢迎"},
                        content_type="application/json", **host)  # fmt: skip
        assert r.status_code == 201
        feed = anon.get(f"/api/v1/public/interviews/{pk}/feed", {"since": version}).json()
        assert feed["version"] == version + 3
        assert [(i["kind"], i["speaker"], i["answer"]) for i in feed["items"]] == [
            ("question", XSS, "可以提前问。"),
            ("post", "主持人", ""),
        ]
    with clock.moved_to(at(2026, 9, 30, 10, 55)):
        r = client.post(f"/api/v1/interviews/{pk}/end", **host)
        assert r.json()["replies_due_on"] == "2026-10-13"
        r = anon.post(f"/api/v1/public/interviews/{pk}/questions", {"nickname": "a", "content": "b"},
                      content_type="application/json")  # fmt: skip
        assert r.status_code == 400
        r = client.post(f"/api/v1/interviews/{pk}/publish", {"transcript_summary": "综述"},
                        content_type="application/json", **host)  # fmt: skip
        assert r.json()["status"] == "published"
    assert client.get("/api/v1/interviews/").status_code == 401
    assert [i["id"] for i in client.get("/api/v1/interviews/", **host).json()] == [pk]
    assert client.get("/api/v1/interviews/", **_bearer(w.users["outsider"])).json() == []


def test_public_ask_is_rate_limited(client):
    w = build_world()
    start = at(2026, 9, 30)
    with clock.moved_to(start - timedelta(days=5)):
        iv = Interview.objects.create(
            county=w.county, title="t", summary="s", host_unit=w.units["zfb"], starts_at=start,
            ends_at=start + timedelta(minutes=60), status=InterviewStatus.ANNOUNCED, created_by=w.users["host"],
        )  # fmt: skip
    url = f"/api/v1/public/interviews/{iv.pk}/questions"
    for _ in range(5):
        assert (
            client.post(url, {"nickname": "a", "content": "b"}, content_type="application/json").status_code
            == 201
        )
    r = client.post(url, {"nickname": "a", "content": "b"}, content_type="application/json")
    assert r.status_code == 429
    assert InterviewQuestion.objects.count() == 5
