"""GB/T 9704-2012 measured on the rendered PDF (rules.md §2), read back with pdfplumber/pypdfium2."""

from __future__ import annotations

import pytest

from tongban.documents.render import DocumentSpec, render_pdf
from tongban.documents.render import layout as L
from tongban.documents.render.tests.conftest import (
    MM,
    PARA,
    Page,
    ink_rows_mm,
    is_dark,
    is_red,
    long_spec,
    pages_of,
)

ONE_CHAR = L.CHAR_PITCH_MM


def test_every_page_is_a4(long_pdf: bytes) -> None:
    pages = pages_of(long_pdf)
    assert len(pages) >= 3
    for page in pages:
        assert page.width_mm == pytest.approx(210, abs=0.1)
        assert page.height_mm == pytest.approx(297, abs=0.1)


def test_first_body_line_sits_on_the_type_area(long_pdf: bytes) -> None:
    """A continuation page starts at the type area's top-left corner: 37 mm down, 28 mm in. The
    first line box starts at 37 mm and the 16 pt glyph is centred in the 225/22 mm line pitch."""
    page = pages_of(long_pdf)[1]
    first = page.lines[0]
    assert first[0]["size"] == pytest.approx(16, abs=0.01)
    assert first[0]["top"] / MM == pytest.approx(L.expected_first_line_top_mm(), abs=1.0)
    assert first[0]["x0"] / MM == pytest.approx(28.0, abs=1.0)
    # The 份号 is on line 1 of the first page's type area, flush left.
    copy_no = pages_of(long_pdf)[0].find("000123")
    assert copy_no[0]["top"] / MM == pytest.approx(L.expected_first_line_top_mm(), abs=1.0)
    assert copy_no[0]["x0"] / MM == pytest.approx(28.0, abs=1.0)


def test_body_is_16pt_28_characters_a_line_22_lines_a_page(long_pdf: bytes) -> None:
    page = pages_of(long_pdf)[1]
    body = page.body_lines()
    assert len(body) == 22
    for line in body:
        assert {round(c["size"], 2) for c in line} == {16.0}
        assert len(line) == 28
        assert Page.text(line) in PARA
        # the 28 characters fill the 156 mm measure
        assert line[0]["x0"] / MM == pytest.approx(28.0, abs=0.5)
        assert line[-1]["x1"] / MM == pytest.approx(28 + 156, abs=0.5)
    pitch = (body[-1][0]["top"] - body[0][0]["top"]) / 21 / MM
    assert pitch == pytest.approx(225 / 22, abs=0.01)


def test_doc_number_title_and_main_to(long_pdf: bytes) -> None:
    first = pages_of(long_pdf)[0]
    number = first.find("青政发〔2026〕12号")
    assert Page.text(number) == "青政发〔2026〕12号"
    # centred on the type area
    centre = (number[0]["x0"] + number[-1]["x1"]) / 2 / MM
    assert centre == pytest.approx(28 + 78, abs=1.0)
    title = first.find("森林防火")
    assert title[0]["size"] == pytest.approx(22, abs=0.01)  # 2号
    main_to = first.find("各乡镇人民政府")
    assert Page.text(main_to).endswith("：")
    assert main_to[0]["x0"] / MM == pytest.approx(28, abs=0.5)  # flush left


def test_flag_is_red_35mm_below_the_type_area_and_the_rule_4mm_below_the_number(long_pdf: bytes) -> None:
    red = ink_rows_mm(long_pdf, 0, is_red, 40, 160)
    assert red[0] == pytest.approx(37 + 35, abs=1.0)  # ink top of the 发文机关标志
    # the red rule: the last red run on the page, 4 mm below the ink of the 发文字号
    rule_top = max(y for y in red if not any(abs(y - z) < 0.3 for z in red if z < y - 0.3) or True)
    runs: list[list[float]] = []
    for y in red:
        if runs and y - runs[-1][-1] < 0.2:
            runs[-1].append(y)
        else:
            runs.append([y])
    rule = runs[-1]
    assert rule[-1] - rule[0] < 1.0  # a thin rule
    number_ink = ink_rows_mm(long_pdf, 0, is_dark, rule[0] - 15, rule[0] - 0.1)
    assert rule[0] - number_ink[-1] == pytest.approx(4.0, abs=1.0)
    assert rule_top  # silence linters


def test_headings_use_their_fonts(long_pdf: bytes) -> None:
    first = pages_of(long_pdf)[0]
    from tongban.seals.fonts import choices

    fonts = choices()
    h1 = first.find("一、总体要求")
    h2 = first.find("（一）工作目标")
    assert fonts["hei"].family.replace(" ", "-") in h1[0]["fontname"]
    assert fonts["kai"].family.replace(" ", "-") in h2[2]["fontname"]
    for line in (h1, h2):
        assert line[0]["x0"] / MM == pytest.approx(28 + 2 * ONE_CHAR, abs=0.6)  # indented 2


def test_page_numbers_alternate_sides_7mm_below_the_type_area(long_pdf: bytes) -> None:
    pages = pages_of(long_pdf)
    for number, page in enumerate(pages[:2], 1):
        folio = page.find(f"— {number} —")
        assert Page.text(folio) == f"— {number} —"
        assert folio[0]["size"] == pytest.approx(14, abs=0.01)  # 4号
        assert folio[0]["top"] / MM == pytest.approx(37 + 225 + 7, abs=1.0)
        if number % 2:  # odd: right, one character in
            assert folio[-1]["x1"] / MM == pytest.approx(184 - 14 / MM, abs=0.6)
        else:  # even: left, one character in
            assert folio[0]["x0"] / MM == pytest.approx(28 + 14 / MM, abs=0.6)


def test_page_number_ink_starts_7mm_below_the_type_area(long_pdf: bytes) -> None:
    ink = ink_rows_mm(long_pdf, 0, is_dark, 37 + 225 + 0.5, 290)
    assert ink[0] == pytest.approx(37 + 225 + 7, abs=0.5)


def test_signature_date_note_and_colophon_on_the_last_page(long_pdf: bytes) -> None:
    last = pages_of(long_pdf)[-1]
    date = last.find("2026年7月1日")
    assert Page.text(date) == "2026年7月1日"
    assert date[-1]["x1"] / MM == pytest.approx(184 - 4 * ONE_CHAR, abs=1.0)  # 4 characters from the right
    assert Page.text(last.find("（此件公开发布）")) == "（此件公开发布）"
    cc = last.find("抄送：")
    assert Page.text(cc) == "抄送：县委各部门，县人大常委会办公室。"
    printed = last.find("印发")
    assert Page.text(printed).startswith("青山县人民政府办公室") and Page.text(printed).endswith(
        "2026年7月2日印发"
    )
    assert printed[-1]["top"] / MM > 37 + 225 - 15  # at the foot of the type area
    rules = ink_rows_mm(
        render_pdf(long_spec()), len(pages_of(long_pdf)) - 1, is_dark, 37 + 225 - 3, 37 + 225 + 1
    )
    assert rules and rules[-1] == pytest.approx(37 + 225, abs=1.0)  # the last rule closes the type area


def test_colophon_alone_on_the_last_page_has_no_page_number() -> None:
    from tongban.documents.render.pdf import colophon_alone, render_document

    found = False
    for extra in range(15, 30):  # one of these leaves the colophon alone (19 with the free fonts)
        spec = long_spec(paragraphs=1, body_html=f"<p>{PARA[:700]}</p>" + "<p>政府</p>" * extra)
        if colophon_alone(render_document(spec)):
            found = True
            pages = pages_of(render_pdf(spec))
            texts = [Page.text(ln) for ln in pages[-1].lines]
            assert any(t.startswith("抄送") for t in texts)
            assert not any("—" in t for t in texts), texts
            assert any("—" in Page.text(ln) for ln in pages[-2].lines)
            break
    assert found


def test_up_direction_number_left_signers_right() -> None:
    spec = long_spec(paragraphs=1, direction="up", signers=["张三", "李四"], doc_type="请示")
    first = pages_of(render_pdf(spec))[0]
    number = first.find("青政发〔2026〕12号")
    assert number[0]["x0"] / MM == pytest.approx(28 + 16 / MM, abs=0.8)  # left + 1 char
    last_signer = first.find("李四")
    assert last_signer[-1]["x1"] / MM == pytest.approx(184 - 16 / MM, abs=0.8)  # right − 1 char
    assert abs(last_signer[0]["top"] - number[0]["top"]) < 1  # on one line
    assert "签发人：" in Page.text(first.find("签发人"))


def test_secrecy_and_urgency_marks() -> None:
    spec = long_spec(paragraphs=1, secrecy="机密", secrecy_period="5年", urgency="特急")
    first = pages_of(render_pdf(spec))[0]
    assert Page.text(first.find("机密")) == "机密★5年"
    assert Page.text(first.find("特急")) == "特急"


def test_letter_layout_flag_30mm_from_the_page_top_and_no_number_on_page_1() -> None:
    spec = long_spec(paragraphs=1, layout="letter", doc_type="函", doc_number="青政函〔2026〕9号")
    pdf = render_pdf(spec)
    red = ink_rows_mm(pdf, 0, is_red, 20, 60)
    assert red[0] == pytest.approx(30, abs=1.0)
    pages = pages_of(pdf)
    assert not any("— 1 —" in Page.text(ln) for ln in pages[0].lines)
    assert any("— 2 —" in Page.text(ln) for ln in pages[1].lines)
    assert "青政函〔2026〕9号" in [Page.text(ln) for ln in pages[0].lines][1] or pages[0].find(
        "青政函〔2026〕9号"
    )
    bottom = ink_rows_mm(pdf, 0, is_red, 270, 297)
    assert bottom and bottom[-1] == pytest.approx(297 - 20, abs=1.0)  # lower double rule


def test_minutes_layout() -> None:
    spec = DocumentSpec(
        layout="minutes",
        doc_type="纪要",
        title="县政府第12次常务会议纪要",
        organs=["青山县人民政府常务会议"],
        body_html="<p>会议研究了有关事项。</p>",
        attendees=["张三", "李四"],
        observers=["王五"],
    )
    first = pages_of(render_pdf(spec))[0]
    assert Page.text(first.find("纪要")).startswith("青山县人民政府常务会议纪要")
    assert Page.text(first.find("出席：")) == "出席：张三、李四"
    assert Page.text(first.find("列席：")) == "列席：王五"


def test_joint_document_lists_every_organ() -> None:
    spec = long_spec(
        paragraphs=1,
        organs=["青山县人民政府", "中共青山县委办公室"],
        signature="青山县人民政府\n中共青山县委办公室",
    )
    texts = [Page.text(ln) for p in pages_of(render_pdf(spec)) for ln in p.lines]
    assert any("青山县人民政府" in t for t in texts[:5]) and any("中共青山县委办公室" in t for t in texts[:5])


def test_markup_is_text_and_nothing_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("network")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    spec = long_spec(
        paragraphs=0,
        title="<b>标题</b>",
        body_html='<p>正文<img src="http://example.invalid/x.png"><script>alert(1)</script></p>'
        '<link rel="stylesheet" href="http://example.invalid/x.css"><table><tr><td>甲</td><td>乙</td></tr></table>',
    )
    texts = [Page.text(ln) for p in pages_of(render_pdf(spec)) for ln in p.lines]
    assert "<b>标题</b>" in texts
    assert not any("alert" in t for t in texts)
    assert any("甲" in t for t in texts)


def test_seal_image_is_drawn_over_the_signature() -> None:
    from tongban.seals.image import seal_png

    spec = long_spec(paragraphs=0)
    pdf = render_pdf(spec, seal_png=seal_png("青山县人民政府"))
    last = pages_of(pdf)[-1]
    date = last.find("2026年7月1日")
    date_mm = date[0]["top"] / MM
    red = ink_rows_mm(pdf, len(pages_of(pdf)) - 1, is_red, date_mm - 40, date_mm + 40)
    assert red, "no seal"
    seal_h = red[-1] - red[0]
    assert seal_h == pytest.approx(L.SEAL_MM, abs=2.5)
    centre = (red[0] + red[-1]) / 2
    assert red[0] < date_mm < red[-1]  # the seal covers 署名 and 成文日期
    assert centre < date_mm + 5


def test_order_layout_flag_20mm_below_the_type_area() -> None:
    spec = DocumentSpec(
        layout="order",
        doc_type="命令",
        title="青山县人民政府令第3号",
        organs=["青山县人民政府"],
        doc_number="第3号",
        body_html="<p>《青山县城市管理办法》现予公布，自2026年8月1日起施行。</p>",
        signature="县长　张三",
        written_date="2026-07-01",
    )
    pdf = render_pdf(spec)
    assert ink_rows_mm(pdf, 0, is_red, 40, 120)[0] == pytest.approx(37 + 20, abs=1.0)
    first = pages_of(pdf)[0]
    assert Page.text(first.find("青山县人民政府令")) == "青山县人民政府令"
    assert Page.text(first.find("第3号")) == "第3号"
