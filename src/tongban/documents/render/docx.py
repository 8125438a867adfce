"""render_docx: the same elements as the PDF in a Word document (python-docx), for offices that
still edit in Word. A4, the GB/T 9704 margins, a 22 × 28 document grid and fonts by name (the
official names; Word substitutes what the reader's machine has)."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from tongban.documents.render import layout as L
from tongban.documents.render.body import Paragraph, Table, parse_body
from tongban.documents.render.spec import DocumentSpec, cn_date

FANGSONG, HEI, KAI, XBS, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)


def _run(par, text: str, *, font: str = FANGSONG, size: float = L.BODY_PT, color: RGBColor | None = None):  # type: ignore[no-untyped-def]
    run = par.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    if color is not None:
        run.font.color.rgb = color
    return run


def _par(doc, *, align=None, indent_chars: float = 0, before_lines: float = 0, exact: bool = True):  # type: ignore[no-untyped-def]
    par = doc.add_paragraph()
    fmt = par.paragraph_format
    if align is not None:
        par.alignment = align
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(L.LINE_PITCH_PT)
    fmt.space_after = Pt(0)
    fmt.space_before = Pt(before_lines * L.LINE_PITCH_PT)
    if indent_chars:
        fmt.first_line_indent = Pt(indent_chars * L.CHAR_PITCH_PT)
    return par


def _rule(par, *, color: str = "E60012", size_eighths: int = 12, where: str = "bottom") -> None:  # type: ignore[no-untyped-def]
    ppr = par._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{where}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)
    ppr.append(borders)


def _grid(section) -> None:  # type: ignore[no-untyped-def]
    """Word's document grid: 22 lines × 28 characters (GB/T 9704 5.2.2)."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(L.LINE_PITCH_PT * 20)))
    grid.set(qn("w:charSpace"), str(round((L.CHAR_PITCH_PT - L.BODY_PT) * 4096)))


def _folio(par) -> None:  # type: ignore[no-untyped-def]
    _run(par, "— ", font=SONG, size=L.FOLIO_PT)
    run = _run(par, "", font=SONG, size=L.FOLIO_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
    _run(par, " —", font=SONG, size=L.FOLIO_PT)


def _footer_page_number(doc, section) -> None:  # type: ignore[no-untyped-def]
    """GB/T 9704 7.5: odd pages right −1 character, even pages left +1 character."""
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(L.FOLIO_PT)
    _folio(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(L.FOLIO_PT)
    _folio(even)


def render_docx(spec: DocumentSpec) -> bytes:
    doc = WordDocument()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(L.PAGE_W), Mm(L.PAGE_H)
    section.top_margin, section.bottom_margin = Mm(L.TOP), Mm(L.BOTTOM)
    section.left_margin, section.right_margin = Mm(L.LEFT), Mm(L.RIGHT)
    section.footer_distance = Mm(L.BOTTOM - L.FOLIO_BELOW_AREA_MM - 6)
    _grid(section)
    _footer_page_number(doc, section)

    for text, font in (
        (spec.copy_no, FANGSONG),
        (
            (spec.secrecy + (f"★{spec.secrecy_period}" if spec.secrecy_period else ""))
            if spec.secrecy
            else "",
            HEI,
        ),
        (spec.urgency, HEI),
    ):
        if text:
            _run(_par(doc), text, font=font)
    if spec.layout == "minutes":
        flag = spec.flag_text or f"{(spec.organs or [''])[0]}纪要"
    elif spec.layout == "order":
        flag = spec.flag_text or f"{(spec.organs or [''])[0]}令"
    elif spec.flag_text:
        flag = spec.flag_text
    else:
        flag = "\n".join(spec.organs) + ("" if spec.layout == "letter" else "文件")
    size_pt = (
        min(15.0, (L.AREA_W - 4) / max(max((len(x) for x in flag.splitlines()), default=1), 1)) / L.MM_PER_PT
    )
    par = _par(doc, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False, before_lines=1)
    _run(par, flag, font=XBS, size=size_pt, color=RED)
    if spec.direction == "up" and spec.signers and spec.layout == "standard":
        par = _par(doc, before_lines=2)
        par.paragraph_format.tab_stops.add_tab_stop(Mm(L.AREA_W - L.CHAR_PITCH_MM))
        _run(par, "\u3000" + spec.doc_number + "\t签发人：")
        _run(par, "、".join(spec.signers), font=KAI)
    else:
        par = _par(doc, align=WD_ALIGN_PARAGRAPH.CENTER, before_lines=2)
        _run(par, spec.doc_number or "")
    if spec.layout in ("standard", "letter", "minutes"):
        _rule(par, size_eighths=12)
    if spec.layout != "order":
        par = _par(doc, align=WD_ALIGN_PARAGRAPH.CENTER, before_lines=2)
        _run(par, spec.title, font=XBS, size=L.TITLE_PT)
    if spec.main_to:
        par = _par(doc, before_lines=1)
        _run(par, spec.main_to.rstrip("：:，, ") + "：")
    for block in parse_body(spec.body_html):
        if isinstance(block, Paragraph):
            font = {1: HEI, 2: KAI}.get(block.level, FANGSONG)
            _run(_par(doc, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY), block.text, font=font)
        elif isinstance(block, Table) and block.rows:
            cols = max(len(r) for r in block.rows)
            table = doc.add_table(rows=len(block.rows), cols=cols)
            table.style = "Table Grid"
            for i, row in enumerate(block.rows):
                for j, cell in enumerate(row):
                    _run(table.cell(i, j).paragraphs[0], cell, size=12)
    if spec.attachments:
        for i, name in enumerate(spec.attachments, 1):
            par = _par(doc, indent_chars=2 if i == 1 else 5, before_lines=1 if i == 1 else 0)
            if len(spec.attachments) == 1:
                _run(par, f"附件：{name}")
            else:
                _run(par, (f"附件：{i}." if i == 1 else f"{i}.") + name)
    if spec.layout == "minutes":
        for label, names in (("出席", spec.attendees), ("列席", spec.observers)):
            if names:
                par = _par(doc, before_lines=1)
                _run(par, f"{label}：", font=HEI)
                _run(par, "、".join(names))
    names = [n for n in (spec.signature or "").splitlines() if n.strip()]
    date = cn_date(spec.written_date)
    first = True
    for line in [*names, date] if date else names:
        par = _par(doc, align=WD_ALIGN_PARAGRAPH.RIGHT, before_lines=2 if first else 0)
        par.paragraph_format.right_indent = Pt(4 * L.CHAR_PITCH_PT)
        _run(par, line)
        first = False
    if spec.note:
        _run(_par(doc, indent_chars=2), "（" + spec.note.strip().strip("（）()") + "）")
    if spec.cc or spec.printer_organ or spec.printed_date:
        par = _par(doc, before_lines=2)
        _rule(par, color="000000", size_eighths=8, where="bottom")
        if spec.cc:
            par = _par(doc)
            par.paragraph_format.left_indent = Pt(L.FOLIO_PT)
            _run(par, "抄送：" + spec.cc.rstrip("。，,；; ") + "。", size=L.FOLIO_PT)
            _rule(par, color="000000", size_eighths=4, where="bottom")
        par = _par(doc)
        par.paragraph_format.tab_stops.add_tab_stop(Mm(L.AREA_W - 5))
        printed = cn_date(spec.printed_date)
        _run(
            par, "\u3000" + spec.printer_organ + "\t" + (printed + "印发" if printed else ""), size=L.FOLIO_PT
        )
        _rule(par, color="000000", size_eighths=8, where="bottom")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
