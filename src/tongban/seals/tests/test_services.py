from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.core.errors import TongbanError
from tongban.core.models import AuditRecord
from tongban.orgs.models import County, Unit
from tongban.seals import crypto, selectors, services
from tongban.seals.models import CertificateAuthority, SealCertificate


def test_ca_init_is_idempotent_and_key_encrypted(small_county: County) -> None:
    ca = services.ca_init(county=small_county)
    assert services.ca_init(county=small_county).pk == ca.pk
    assert CertificateAuthority.objects.count() == 1
    blob = bytes(ca.key_encrypted)
    assert b"PRIVATE KEY" not in blob and blob[:2] == b"v1"
    assert crypto.decrypt_key_der(blob, aad=f"tongban-seal:ca:{ca.serial}".encode())[:1] == b"\x30"


def test_issue_draws_seal_and_refuses_second_live_certificate(
    small_county: County, units: list[Unit]
) -> None:
    services.ca_init(county=small_county)
    cert = services.certificate_issue(unit=units[1])
    png = selectors.seal_image_png(units[1])
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert selectors.seal_image_png(units[2]) is None
    with pytest.raises(TongbanError) as err:
        services.certificate_issue(unit=units[1])
    assert err.value.code == "seals.already_issued"
    assert SealCertificate.objects.filter(unit=units[1]).count() == 1
    assert AuditRecord.objects.filter(event="seals.cert_issue", object_id=str(cert.pk)).exists()


def test_issue_needs_a_ca(units: list[Unit]) -> None:
    with pytest.raises(TongbanError) as err:
        services.certificate_issue(unit=units[0])
    assert err.value.code == "seals.no_ca"
    assert not SealCertificate.objects.exists()


def test_sign_and_verify(sealed_unit: Unit, simple_pdf: bytes) -> None:
    assert services.verify_pdf(simple_pdf).status == "unsigned"
    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None, reason="用印")
    result = services.verify_pdf(signed)
    assert result.status == "valid", result.details
    assert result.unit == sealed_unit
    assert result.signer == sealed_unit.name
    assert result.signed_at is not None and abs(result.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(
        minutes=5
    )
    assert AuditRecord.objects.filter(event="seals.sign").count() == 1


def _flip_inside_signed_range(data: bytes) -> bytes:
    """Change one byte of the page content (inside the first ByteRange segment)."""
    import re

    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert m
    first_len = int(m.group(2))
    pos = data.index(b"WeasyPrint")  # the /Producer string of the original file: well inside the range
    assert pos < first_len
    out = bytearray(data)
    out[pos] = ord("w")
    return bytes(out)


def test_one_changed_byte_is_altered(sealed_unit: Unit, simple_pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)
    result = services.verify_pdf(_flip_inside_signed_range(signed))
    assert result.status == "altered"


def test_foreign_ca_is_unknown_signer(sealed_unit: Unit, simple_pdf: bytes, small_county: County) -> None:
    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)
    other = County.objects.create(name="外县", code="990002")
    foreign_unit = Unit.objects.create(county=other, unit_code="X", name="外县财政局", kind="gov_dept")
    services.ca_init(county=other)
    services.certificate_issue(unit=foreign_unit)
    foreign_signed = services.sign_pdf(pdf=simple_pdf, unit=foreign_unit, actor=None)
    # Forget the foreign CA and its certificates: the verifier no longer knows the signer.
    SealCertificate.objects.filter(unit=foreign_unit).delete()
    CertificateAuthority.objects.filter(county=other).delete()
    assert services.verify_pdf(foreign_signed).status == "unknown_signer"
    assert services.verify_pdf(signed).status == "valid"


def test_revoked_before_signing_is_unknown_signer(sealed_unit: Unit, simple_pdf: bytes) -> None:
    cert = selectors.live_certificate(sealed_unit)
    assert cert is not None
    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)
    services.certificate_revoke(certificate=cert, actor=None, reason="测试")
    # Signed before revocation: still valid.
    assert services.verify_pdf(signed).status == "valid"
    with pytest.raises(TongbanError):
        services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)


def test_sign_without_certificate_raises(units: list[Unit], simple_pdf: bytes) -> None:
    with pytest.raises(TongbanError) as err:
        services.sign_pdf(pdf=simple_pdf, unit=units[2], actor=None)
    assert err.value.code == "seals.no_certificate"


def test_garbage_is_unsigned(db: Any) -> None:
    assert services.verify_pdf(b"not a pdf").status == "unsigned"


def test_content_changed_in_a_later_revision_is_altered(sealed_unit: Unit, simple_pdf: bytes) -> None:
    """Somebody appends an incremental update that rewrites the page after sealing."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = services.sign_pdf(pdf=simple_pdf, unit=sealed_unit, actor=None)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (FAKE) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    assert services.verify_pdf(out.getvalue()).status == "altered"
