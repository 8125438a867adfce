"""Writes of the seals domain: the county CA, seal certificates, signing and verifying PDFs.

A sealed document is signed PAdES (ETSI.CAdES.detached, pyHanko) with the unit's certificate, issued
by the county CA (国务院令第716号: an electronic seal has the effect of a paper one). Verification
trusts only the CAs stored here and never fetches anything from the network."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import TongbanError
from tongban.seals import crypto
from tongban.seals.image import seal_png
from tongban.seals.models import CertificateAuthority, SealCertificate

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_VERIFY_BYTES = 20 * 1024 * 1024


def _no_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """pyHanko's synchronous API calls asyncio.run(), which fails inside a running event loop (ASGI,
    Playwright in tests): run it on a worker thread then. Only pyHanko work goes there, no queries."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


# --- CA and certificates ------------------------------------------------------------------------


@transaction.atomic
def ca_init(*, county: Any, actor: Any = None) -> CertificateAuthority:
    """Create the county's seal CA (idempotent: an active one is returned as it is)."""
    existing = CertificateAuthority.objects.select_for_update().filter(county=county, is_active=True).first()
    if existing is not None:
        return existing
    name = f"{county.name}电子印章根证书"
    cert, key = crypto.make_ca(common_name=name, organisation=county.name)
    serial = crypto.serial_hex(cert)
    ca = CertificateAuthority.objects.create(
        county=county,
        name=name,
        serial=serial,
        cert_pem=crypto.pem(cert),
        key_encrypted=crypto.encrypt_key(key, aad=_aad("ca", serial)),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        created_by=actor,
    )
    audit.record("seals.ca_init", actor=actor, obj=ca, new={"serial": serial, "county": county.pk})
    return ca


def _aad(kind: str, serial: str) -> bytes:
    return f"tongban-seal:{kind}:{serial}".encode()


def _ca_key(ca: CertificateAuthority) -> Any:
    der = crypto.decrypt_key_der(ca.key_encrypted, aad=_aad("ca", ca.serial))
    return serialization.load_der_private_key(der, password=None)


@transaction.atomic
def certificate_issue(*, unit: Any, actor: Any = None) -> SealCertificate:
    """Issue the unit's seal certificate and draw its seal image. A unit holds one live certificate:
    revoke the old one first."""
    from tongban.orgs.models import Unit

    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if SealCertificate.objects.filter(unit=unit, revoked_at__isnull=True).exists():
        raise TongbanError("seals.already_issued", _("该单位已有有效的印章证书，请先吊销。"))
    ca = CertificateAuthority.objects.filter(county_id=unit.county_id, is_active=True).first()
    if ca is None:
        raise TongbanError("seals.no_ca", _("本县尚未创建印章根证书（manage.py seal_ca_init）。"))
    ca_cert = crypto.load_pem(ca.cert_pem)
    cert, key = crypto.make_seal_cert(
        ca_cert=ca_cert, ca_key=_ca_key(ca), common_name=unit.name, organisation=unit.county.name
    )
    serial = crypto.serial_hex(cert)
    try:
        with transaction.atomic():
            row = SealCertificate.objects.create(
                county_id=unit.county_id,
                unit=unit,
                ca=ca,
                subject=unit.name,
                serial=serial,
                cert_pem=crypto.pem(cert),
                key_encrypted=crypto.encrypt_key(key, aad=_aad("unit", serial)),
                seal_png=seal_png(unit.name),
                not_before=cert.not_valid_before_utc,
                not_after=cert.not_valid_after_utc,
                issued_by=actor,
            )
    except IntegrityError as exc:
        raise TongbanError("seals.already_issued", _("该单位已有有效的印章证书，请先吊销。")) from exc
    audit.record("seals.cert_issue", actor=actor, obj=row, unit_id=unit.pk, new={"serial": serial})
    return row


@transaction.atomic
def certificate_revoke(*, certificate: SealCertificate, actor: Any, reason: str = "") -> SealCertificate:
    cert = SealCertificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.revoked_at is not None:
        raise TongbanError("seals.already_revoked", _("该证书已吊销。"))
    cert.revoked_at = timezone.now()
    cert.revoked_by = actor
    cert.revoke_reason = (reason or "")[:200]
    cert.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit.record(
        "seals.cert_revoke",
        actor=actor,
        obj=cert,
        unit_id=cert.unit_id,
        old={"revoked": False},
        new={"revoked": True, "reason": cert.revoke_reason},
    )
    return cert


# --- signing -----------------------------------------------------------------------------------


def _signer(cert_row: SealCertificate) -> Any:
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = crypto.decrypt_key_der(cert_row.key_encrypted, aad=_aad("unit", cert_row.serial))
    signing_cert = asn1_x509.Certificate.load(
        crypto.load_pem(cert_row.cert_pem).public_bytes(serialization.Encoding.DER)
    )
    ca_cert = asn1_x509.Certificate.load(
        crypto.load_pem(cert_row.ca.cert_pem).public_bytes(serialization.Encoding.DER)
    )
    return signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([ca_cert]),
    )


def sign_pdf(*, pdf: bytes, unit: Any, actor: Any, reason: str = "用印") -> bytes:
    """The PDF signed (PAdES) with the unit's seal certificate. Raises TongbanError when the unit has
    no live certificate or the PDF cannot be read. Audited."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    cert_row = SealCertificate.objects.filter(unit=unit, revoked_at__isnull=True).select_related("ca").first()
    if cert_row is None:
        raise TongbanError("seals.no_certificate", _("该单位没有有效的印章证书，请联系安全管理员签发。"))
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises several parser errors
        raise TongbanError("seals.bad_pdf", _("文件不是有效的 PDF。")) from exc
    meta = signers.PdfSignatureMetadata(
        field_name="Seal",
        md_algorithm="sha256",
        reason=reason,
        name=cert_row.subject,
        location=str(getattr(unit, "name", "")),
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    out = _no_loop(signers.sign_pdf, writer, meta, signer=_signer(cert_row))
    data = out.getvalue() if hasattr(out, "getvalue") else out.read()
    audit.record(
        "seals.sign",
        actor=actor,
        object_type="seals.sealcertificate",
        object_id=cert_row.pk,
        object_repr=cert_row.subject,
        unit_id=getattr(unit, "pk", None),
        message=reason,
        new={"serial": cert_row.serial, "bytes": len(data)},
    )
    return data


# --- verification -------------------------------------------------------------------------------

Status = Literal["valid", "altered", "unknown_signer", "unsigned"]


@dataclass
class VerifyResult:
    status: Status
    signer: str = ""
    unit: Any = None
    signed_at: dt.datetime | None = None
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "valid"


def _trust_roots() -> list[Any]:
    roots = []
    for pem_text in CertificateAuthority.objects.values_list("cert_pem", flat=True):
        roots.append(
            asn1_x509.Certificate.load(crypto.load_pem(pem_text).public_bytes(serialization.Encoding.DER))
        )
    return roots


def verify_pdf(data: bytes) -> VerifyResult:
    """Check every signature of a PDF against the county CAs. The first bad signature decides:
    ``altered`` (the signed bytes changed or the file was changed after signing beyond what a
    signature permits), ``unknown_signer`` (not issued by a CA of ours, or the certificate was revoked
    before signing), ``unsigned`` (no signature), else ``valid``."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception:
        if b"/ByteRange" in data:
            return VerifyResult("altered", details=[_("文件已损坏或被改动，无法读取签名。")])
        return VerifyResult("unsigned", details=[_("文件不是可读取的 PDF。")])
    if not sigs:
        return VerifyResult("unsigned", details=[_("文件中没有电子签章。")])
    roots = _trust_roots()
    result: VerifyResult | None = None
    for sig in sigs:
        ctx = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = _no_loop(validate_pdf_signature, sig, ctx)
        except Exception as exc:
            log.info("signature check failed: %s", exc)
            return VerifyResult("altered", details=[_("签名数据无法校验。")])
        cert = status.signing_cert
        signer = cert.subject.native.get("common_name", "") if cert is not None else ""
        signed_at = status.signer_reported_dt
        row = None
        if cert is not None:
            row = (
                SealCertificate.objects.filter(serial=format(cert.serial_number, "x"))
                .select_related("unit")
                .first()
            )
        if not (status.intact and status.valid):
            return VerifyResult(
                "altered", signer, row.unit if row else None, signed_at, [_("签名后文件内容被改动。")]
            )
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not status.docmdp_ok:
            return VerifyResult(
                "altered", signer, row.unit if row else None, signed_at, [_("签名后文件被追加修改。")]
            )
        if not status.trusted or row is None:
            return VerifyResult(
                "unknown_signer", signer, None, signed_at, [_("签章证书不是本平台印章根证书签发的。")]
            )
        if row.revoked_at is not None and (signed_at is None or signed_at >= row.revoked_at):
            return VerifyResult(
                "unknown_signer", signer, row.unit, signed_at, [_("签章证书在签章前已吊销。")]
            )
        details = []
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            details.append(_("签名后文件有允许的追加内容。"))
        result = VerifyResult("valid", signer, row.unit, signed_at, details)
    assert result is not None
    return result
