from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.orgs.models import County, Unit
from tongban.seals import services
from tongban.seals.models import CertificateAuthority, SealCertificate

VERIFY = "/seals/verify/"
MANAGE = "/seals/manage/"


def _upload(data: bytes, name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_verify_page_is_public_and_says_valid(client: Client, sealed_unit: Unit, simple_pdf: bytes) -> None:
    assert client.get(VERIFY).status_code == 200
    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)
    resp = client.post(VERIFY, {"file": _upload(signed)})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'data-status="valid"' in body and sealed_unit.name in body


def test_verify_page_altered_and_unsigned(client: Client, sealed_unit: Unit, simple_pdf: bytes) -> None:
    signed = bytearray(services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None))
    pos = signed.index(b"WeasyPrint")
    signed[pos] = ord("w")
    assert 'data-status="altered"' in client.post(VERIFY, {"file": _upload(bytes(signed))}).content.decode()
    assert 'data-status="unsigned"' in client.post(VERIFY, {"file": _upload(simple_pdf)}).content.decode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("doc.txt", b"%PDF-1.7 x", "扩展名"),
        ("doc.pdf", b"hello", "不是 PDF"),
        ("doc.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "20 MB"),
    ],
)
def test_verify_page_checks_the_upload(client: Client, db: Any, name: str, data: bytes, message: str) -> None:
    resp = client.post(VERIFY, {"file": _upload(data, name)})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert message in body and "data-status" not in body


def test_verify_page_refuses_a_declared_huge_body_before_reading_it(client: Client, db: Any) -> None:
    resp = client.post(VERIFY, {"file": _upload(b"%PDF-1.7")}, CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert resp.status_code == 413 and "20 MB" in resp.content.decode()


def test_manage_matrix(
    client: Client, people: dict[str, Any], small_county: County, units: list[Unit]
) -> None:
    # anonymous: to the login page; nothing created
    resp = client.post(MANAGE, {"action": "ca_init"})
    assert resp.status_code == 302 and "login" in resp["Location"]
    for who in ("clerk", "sysadmin"):
        client.force_login(people[who])
        assert client.get(MANAGE).status_code == 403
        assert client.post(MANAGE, {"action": "ca_init"}).status_code == 403
    assert not CertificateAuthority.objects.exists()
    client.force_login(people["secadmin"])
    page = client.get(MANAGE)
    assert page.status_code == 200
    assert "方正小标宋简体" in page.content.decode()  # the font report
    assert client.post(MANAGE, {"action": "ca_init"}).status_code == 302
    assert CertificateAuthority.objects.filter(county=small_county).count() == 1
    client.post(MANAGE, {"action": "issue", "unit_id": units[1].pk})
    cert = SealCertificate.objects.get(unit=units[1])
    # the clerk cannot revoke
    client.force_login(people["clerk"])
    assert (
        client.post(MANAGE, {"action": "revoke", "certificate_id": cert.pk, "reason": "x"}).status_code == 403
    )
    cert.refresh_from_db()
    assert cert.revoked_at is None
    client.force_login(people["secadmin"])
    client.post(MANAGE, {"action": "revoke", "certificate_id": cert.pk, "reason": "印章遗失"})
    cert.refresh_from_db()
    assert (
        cert.revoked_at is not None
        and cert.revoke_reason == "印章遗失"
        and cert.revoked_by == people["secadmin"]
    )


def test_api_verify_is_anonymous(client: Client, sealed_unit: Unit, simple_pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)
    data = client.post("/api/v1/seals/verify", {"file": _upload(signed)}).json()
    assert data["status"] == "valid" and data["unit"] == sealed_unit.name and data["signed_at"]
    bad = client.post("/api/v1/seals/verify", {"file": _upload(b"nope", "x.pdf")})
    assert bad.status_code == 400 and bad.json()["code"] == "seals.bad_upload"


def test_commands(small_county: County, units: list[Unit]) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seal_ca_init", stdout=out)
    call_command("seal_issue", "--unit", units[0].unit_code, stdout=out)
    call_command("seal_issue", "--unit", "all", stdout=out)
    assert SealCertificate.objects.filter(revoked_at__isnull=True).count() == len(units)
    assert "已签发 2 张" in out.getvalue()
