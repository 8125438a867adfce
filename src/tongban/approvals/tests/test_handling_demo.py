"""The demo cases: built through the handling services in every state, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.approvals import demo_handling, testing
from tongban.approvals.models import Case, CaseStatus, ExtensionRequest
from tongban.orgs.models import Post, RoleGrant

pytestmark = pytest.mark.django_db


class NullSms:
    def send(self, phone: str, text: str) -> str:
        return "ok"


def test_demo_cases_in_every_state_and_idempotent(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"
    from tongban.seals import services as seal_services

    w = testing.build_world()
    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    # the demo's login names
    leader = w.users["scj_leader"]
    leader.username = "scjleader"
    leader.save(update_fields=["username"])
    testing.published_item(w, code="SCJ-2", name="药品零售企业经营许可", certificate_name="药品经营许可证")
    testing.published_item(w, code="ZJJ-1", name="建筑工程施工许可", unit="zjj")
    assert Post.objects.filter(user=leader).exists() and RoleGrant.objects.filter(user=leader).exists()
    summary = demo_handling.seed()
    assert "新建" in summary
    n = Case.objects.count()
    assert n >= 35
    statuses = set(Case.objects.values_list("status", flat=True))
    for st in (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT, CaseStatus.ACCEPTED, CaseStatus.PAUSED,
               CaseStatus.DECIDED, CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN):  # fmt: skip
        assert st in statuses, st
    steps = set(Case.objects.filter(status=CaseStatus.ACCEPTED).values_list("current_step", flat=True))
    assert {"review", "decide"} <= steps
    assert ExtensionRequest.objects.filter(status="pending").exists()
    assert ExtensionRequest.objects.filter(status="approved").exists()
    assert Case.objects.filter(status=CaseStatus.COMPLETED, certificate__isnull=False).exists()
    assert Case.objects.filter(is_open=True).exclude(light="green").exists()  # some in 预警/黄牌
    demo_handling.seed()
    assert Case.objects.count() == n


def test_every_demo_case_page_renders_for_handler_head_and_supervisor(
    client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"
    from django.urls import reverse

    from tongban.seals import services as seal_services

    w = testing.build_world()
    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    leader = w.users["scj_leader"]
    leader.username = "scjleader"
    leader.save(update_fields=["username"])
    demo_handling.seed()
    cases = list(Case.objects.filter(unit=w.units["scj"]))
    for who in ("handler", "scj_leader", "supervisor"):
        client.force_login(w.users[who])
        for box in ("pending", "supplement", "handling", "paused", "certify", "done", "all"):
            assert client.get(reverse("approvals:cases"), {"box": box}).status_code == 200
        for case in cases:
            r = client.get(reverse("approvals:case", args=[case.pk]))
            assert r.status_code == 200, (who, case.status)
        client.logout()
    # the unit head sees the pending extension to approve; the badge counts it
    from tongban.approvals import handling_selectors

    ext = ExtensionRequest.objects.filter(status="pending").first()
    client.force_login(leader)
    body = client.get(reverse("approvals:case", args=[ext.case_id])).content.decode()
    assert f'id="ext-{ext.pk}-submit"' in body
    assert handling_selectors.pending_count(leader) >= 1
