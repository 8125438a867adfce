"""DocumentSpec: a document as the renderer sees it — every element of 条例 第九条 (rules.md §1).

It is also the API's document JSON schema (``POST /api/v1/render/document``) and the input of
``manage.py render_document``. Field names follow ``tongban.documents.models.Document`` where they
overlap."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Literal

from ninja import Schema
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from tongban.documents.models import Document

DocTypeName = Literal[
    "决议",
    "决定",
    "命令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
]


class DocumentSpec(Schema):
    """An official document to lay out in GB/T 9704-2012 format (条例 第九条, 18 elements)."""

    # 1 份号: 6 digits (GB/T 9704 7.2.1); shorter numbers are zero-padded
    copy_no: str = Field("", max_length=6, description="份号，6 位数字")
    # 2 密级和保密期限
    secrecy: Literal["", "秘密", "机密", "绝密"] = Field("", description="密级")
    secrecy_period: str = Field("", max_length=16, description="保密期限，如 1年")
    # 3 紧急程度
    urgency: Literal["", "加急", "特急"] = Field("", description="紧急程度")
    # 4 发文机关标志: several organs for a joint document (联合行文)
    organs: list[str] = Field(default_factory=list, max_length=20, description="发文机关（联合行文时多个）")
    flag_text: str = Field("", max_length=100, description="发文机关标志，如 青山县人民政府文件")
    # 5 发文字号
    doc_number: str = Field("", max_length=64, description="发文字号，如 青政发〔2026〕12号")
    # 6 签发人 (printed on 上行文)
    signers: list[str] = Field(default_factory=list, max_length=20, description="签发人")
    direction: Literal["down", "parallel", "up"] = Field("down", description="行文方向")
    layout: Literal["standard", "letter", "minutes", "order"] = Field("standard", description="版式")
    doc_type: DocTypeName = Field("通知", description="文种（条例第八条）")
    # 7 标题
    title: str = Field(..., min_length=1, max_length=200, description="标题")
    # 8 主送机关
    main_to: str = Field("", max_length=500, description="主送机关")
    # 9 正文 (HTML of the editor; paragraphs and tables are kept, markup beyond that is dropped)
    body_html: str = Field("", max_length=2_000_000, description="正文 HTML")
    # 10 附件说明
    attachments: list[str] = Field(default_factory=list, max_length=50, description="附件名称（附件说明）")
    # 11 发文机关署名 (one line per organ for a joint document)
    signature: str = Field("", max_length=200, description="发文机关署名")
    # 12 成文日期
    written_date: dt.date | None = Field(None, description="成文日期")
    # 14 附注
    note: str = Field("", max_length=200, description="附注（不含括号）")
    # 16 抄送机关
    cc: str = Field("", max_length=500, description="抄送机关")
    # 17 印发机关和印发日期
    printer_organ: str = Field("", max_length=100, description="印发机关")
    printed_date: dt.date | None = Field(None, description="印发日期")
    # 纪要: 出席 / 列席 lines (optional)
    attendees: list[str] = Field(default_factory=list, max_length=200, description="纪要：出席人员")
    observers: list[str] = Field(default_factory=list, max_length=200, description="纪要：列席人员")

    @field_validator("copy_no")
    @classmethod
    def _copy_no(cls, value: str) -> str:
        value = value.strip()
        if value and not value.isdigit():
            raise ValueError("份号只能是数字")
        return value.zfill(6) if value else ""


_SPLIT = re.compile(r"[，,、;；\s]+")


def _names(text: str) -> list[str]:
    return [n for n in _SPLIT.split(text or "") if n]


def spec_from_document(doc: Document) -> DocumentSpec:
    """The spec of a stored document, reading its organs, recipients, sign-offs and attachments."""
    organs = [o.name for o in doc.organs.all()] or [doc.unit.name]
    signers = _names(doc.signers_text) or list(dict.fromkeys(s.name for s in doc.signoffs.all()))
    attachments = [line.strip() for line in (doc.attachment_note or "").splitlines() if line.strip()]
    if not attachments:
        attachments = [a.name for a in doc.attachments.all()]
    main_to, cc = doc.main_to, doc.cc_text
    if not main_to or not cc:
        rows = list(doc.recipients.select_related("unit"))
        if not main_to:
            main_to = "，".join(_recipient_name(r) for r in rows if r.kind == "main")
        if not cc:
            cc = "，".join(_recipient_name(r) for r in rows if r.kind == "cc")
    return DocumentSpec(
        copy_no=doc.copy_no,
        secrecy=doc.secrecy or "",
        secrecy_period=doc.secrecy_period if doc.secrecy else "",
        urgency=doc.urgency or "",
        organs=organs,
        flag_text=doc.flag_text,
        doc_number=doc.doc_number,
        signers=signers,
        direction=doc.direction,
        layout=doc.layout,
        doc_type=doc.doc_type,
        title=doc.title,
        main_to=main_to,
        body_html=doc.body_html,
        attachments=attachments,
        signature=doc.signature_text or "\n".join(organs),
        written_date=doc.written_date,
        note=doc.note,
        cc=cc,
        printer_organ=doc.printer_organ,
        printed_date=doc.printed_date,
    )


def _recipient_name(row: object) -> str:
    unit = getattr(row, "unit", None)
    return getattr(row, "external_name", "") or (unit.name if unit is not None else "")


def cn_date(value: dt.date | None) -> str:
    """GB/T 9704 7.3.5.1: 2026年7月1日 — Arabic numerals, full year, no leading zeros."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
