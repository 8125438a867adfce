from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tongban.documents.render import DocumentSpec, cn_date, render_docx, spec_from_document
from tongban.documents.render.body import Paragraph, Table, heading_level, parse_body
from tongban.documents.render.tests.conftest import long_spec

URL = "/api/v1/render/document"


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    from tongban.identity.models import User
    from tongban.orgs.models import County, Post, Unit

    county = County.objects.create(name="青山县", code="990011")
    unit = Unit.objects.create(county=county, unit_code="ZFB", name="青山县人民政府办公室", kind="gov_dept")
    clerk = User.objects.create_user(username="rclerk", password="Tongban@2026", full_name="文书")
    Post.objects.create(county=county, user=clerk, unit=unit, title="文书", is_primary=True)
    sysadmin = User.objects.create_user(username="rsys", password="Tongban@2026", admin_role="system")
    return {"clerk": clerk, "sysadmin": sysadmin, "unit": unit, "county": county}


def _payload() -> dict[str, Any]:
    return json.loads(long_spec(paragraphs=0).model_dump_json())


def test_render_api_matrix(client: Client, users: dict[str, Any]) -> None:
    from tongban.core.models import AuditRecord

    before = AuditRecord.objects.count()
    assert client.post(URL, _payload(), content_type="application/json").status_code == 401
    client.force_login(users["sysadmin"])
    refused = client.post(URL, _payload(), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "render.forbidden"
    client.force_login(users["clerk"])
    resp = client.post(URL, _payload(), content_type="application/json")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf" and resp.content[:5] == b"%PDF-"
    bad = client.post(URL, {"title": ""}, content_type="application/json")
    assert bad.status_code == 422
    # a preview stores nothing
    from tongban.documents.models import Document

    assert not Document.objects.exists()
    assert AuditRecord.objects.count() >= before


def test_schema_is_in_openapi(client: Client, users: dict[str, Any]) -> None:
    client.force_login(users["clerk"])
    doc = client.get("/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"]["DocumentSpec"]
    for name in ("copy_no", "secrecy", "doc_number", "signers", "main_to", "body_html", "attachments", "cc"):
        assert name in schema["properties"]
    assert "/api/v1/render/document" in doc["paths"]
    verify = doc["paths"]["/api/v1/seals/verify"]["post"]
    assert verify.get("security") in (None, [], [{}])


def test_docx_has_the_elements_page_and_fonts() -> None:
    from docx import Document as Word
    from docx.shared import Mm

    data = render_docx(long_spec(paragraphs=1, direction="up", signers=["张三"]))
    word = Word(io.BytesIO(data))
    section = word.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5) and abs(section.left_margin - Mm(28)) < Mm(0.5)
    text = "\n".join(p.text for p in word.paragraphs)
    for part in (
        "青政发〔2026〕12号",
        "签发人：张三",
        "各乡镇人民政府，县政府各部门：",
        "附件：森林防火责任书",
        "2026年7月1日",
        "（此件公开发布）",
        "2026年7月2日印发",
    ):
        assert part in text
    assert word.settings.odd_and_even_pages_header_footer
    assert (
        section.footer.paragraphs[0].alignment == 2 and section.even_page_footer.paragraphs[0].alignment == 0
    )
    fonts = {r.font.name for p in word.paragraphs for r in p.runs}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"} <= fonts


def test_spec_from_document(users: dict[str, Any]) -> None:
    from tongban.documents.models import Document, DocumentOrgan, Recipient

    doc = Document.objects.create(
        county=users["county"],
        unit=users["unit"],
        created_by=users["clerk"],
        title="关于测试的通知",
        doc_number="青政办发〔2026〕3号",
        copy_no="7",
        signers_text="张三、李四",
        attachment_note="附件甲\n附件乙\n",
        written_date=dt.date(2026, 7, 1),
        body_html="<p>正文。</p>",
    )
    DocumentOrgan.objects.create(document=doc, unit=users["unit"], name="青山县人民政府办公室", is_lead=True)
    Recipient.objects.create(document=doc, kind="main", unit=users["unit"])
    Recipient.objects.create(document=doc, kind="cc", external_name="市政府办公室")
    spec = spec_from_document(doc)
    assert spec.organs == ["青山县人民政府办公室"]
    assert spec.signers == ["张三", "李四"]
    assert spec.attachments == ["附件甲", "附件乙"]
    assert spec.main_to == "青山县人民政府办公室" and spec.cc == "市政府办公室"
    assert spec.signature == "青山县人民政府办公室"
    assert spec.copy_no == "000007"


def test_render_document_command(tmp_path: Path, db: Any) -> None:
    from django.core.management import call_command

    src = tmp_path / "doc.json"
    src.write_text(long_spec(paragraphs=0).model_dump_json(), encoding="utf-8")
    out = tmp_path / "out.pdf"
    call_command("render_document", str(src), str(out), stdout=io.StringIO())
    assert out.read_bytes()[:5] == b"%PDF-"
    call_command("render_document", str(src), str(tmp_path / "out.docx"), "--docx", stdout=io.StringIO())
    assert (tmp_path / "out.docx").read_bytes()[:2] == b"PK"


def test_dates_and_headings() -> None:
    assert cn_date(dt.date(2026, 7, 1)) == "2026年7月1日"
    assert cn_date(dt.date(2026, 10, 10)) == "2026年10月10日"
    assert [
        heading_level(t) for t in ("一、总体", "（二）目标", "3.措施", "（4）分工", "12.5亿元", "正文")
    ] == [1, 2, 3, 4, 0, 0]
    blocks = parse_body(
        "<div><p>一、甲</p>乙<br>丙<ul><li>丁</li></ul><table><tr><td>1</td></tr></table></div>"
    )
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == ["一、甲", "乙", "丙", "丁"]
    assert any(isinstance(b, Table) for b in blocks)
    assert [b.text for b in parse_body("第一行\n第二行")] == ["第一行", "第二行"]  # type: ignore[union-attr]


def test_spec_validation() -> None:
    with pytest.raises(ValueError):
        DocumentSpec(title="x", copy_no="12a")
    with pytest.raises(ValueError):
        DocumentSpec(title="x", doc_type="便条")  # type: ignore[arg-type]
    assert DocumentSpec(title="x", copy_no="12").copy_no == "000012"


def test_long_titles_break_between_words_upper_lines_no_shorter() -> None:
    from tongban.documents.render.html import title_lines

    assert title_lines("关于测试的通知") == ["关于测试的通知"]
    assert title_lines("青山县财政局关于2026年预算执行情况的报告") == [
        "青山县财政局关于2026年",
        "预算执行情况的报告",
    ]
    lines = title_lines("关于印发《青山县突发公共事件总体应急预案（2026年修订）》和有关配套制度文件的通知")
    assert (
        "".join(lines) == "关于印发《青山县突发公共事件总体应急预案（2026年修订）》和有关配套制度文件的通知"
    )
    assert all(len(line) <= 20 for line in lines)
    assert not any(line[0] in "》）" or line[-1] in "《（" for line in lines)
