"""REST endpoints of the seals domain: public verification of a sealed PDF."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from tongban.api.common import public_errors
from tongban.core.errors import TongbanError
from tongban.seals import services
from tongban.seals.forms import read_pdf_upload

router = Router(tags=["seals"])


class VerifyOut(Schema):
    status: str  # valid | altered | unknown_signer | unsigned
    signer: str
    unit_id: int | None
    unit: str
    signed_at: dt.datetime | None
    details: list[str]


@router.post(
    "/verify",
    auth=None,  # citizens and other organs verify documents without an account
    response={200: VerifyOut, **public_errors(400)},
    summary="验证 PDF 上的电子印章（无需登录）",
    description="上传 PDF（≤ 20 MB）。status：valid 有效 / altered 已被改动 / unknown_signer 非本平台印章 / unsigned 无印章。",
)
def verify(request: HttpRequest, file: File[UploadedFile]) -> VerifyOut:
    try:
        data = read_pdf_upload(file)
    except DjangoValidationError as exc:
        raise TongbanError("seals.bad_upload", exc.messages[0], field="file") from exc
    result = services.verify_pdf(data)
    return VerifyOut(
        status=result.status,
        signer=result.signer,
        unit_id=getattr(result.unit, "pk", None),
        unit=getattr(result.unit, "name", ""),
        signed_at=result.signed_at,
        details=[str(d) for d in result.details],
    )
