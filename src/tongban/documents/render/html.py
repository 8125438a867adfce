"""The document as HTML + CSS for WeasyPrint, laid out to GB/T 9704-2012 (rules.md §2).

Everything the standard measures is computed from ``layout``; text is escaped; nothing is ever
fetched (the seal image travels as a data: URI)."""

from __future__ import annotations

import base64
from html import escape

from tongban.documents.render import layout as L
from tongban.documents.render.body import Paragraph, Table, parse_body
from tongban.documents.render.spec import DocumentSpec, cn_date
from tongban.seals.fonts import FontChoice, choices


def _ff(choice: FontChoice) -> str:
    return f'font-family: "{choice.family}"; font-weight: {choice.weight};'


def _mm(value: float) -> str:
    return f"{value:.4f}mm"


def _pt(value: float) -> str:
    return f"{value:.4f}pt"


# The digits' ink starts about 0.19 em below the top of a 1-em line (宋体 and Noto Serif CJK alike):
# GB/T 9704 7.5 puts the page number's top edge 7 mm below the type area.
FOLIO_INK_EM = 0.19


def stylesheet(spec: DocumentSpec, *, hide_folio_pages: tuple[int, ...] = ()) -> str:
    f = choices()
    pitch = _pt(L.LINE_HEIGHT_PT)
    ch = _mm(L.CHAR_PITCH_MM)
    half_leading_mm = (L.LINE_PITCH_MM - L.BODY_PT * L.MM_PER_PT) / 2
    folio = f"""
      content: "— " counter(page) " —"; {_ff(f["song"])} font-size: {_pt(L.FOLIO_PT)};
      line-height: 1; letter-spacing: 0; vertical-align: top; padding-top: {_mm(L.FOLIO_BELOW_AREA_MM - FOLIO_INK_EM * L.FOLIO_PT * L.MM_PER_PT)};
    """
    hidden = "".join(
        f"@page :nth({n}) {{ @bottom-right {{ content: none }} @bottom-left {{ content: none }} }}\n"
        for n in hide_folio_pages
    )
    first_folio = ""
    if spec.layout == "letter":  # 信函格式: no page number on the first page (GB/T 9704 10.1)
        first_folio = "@page :first { @bottom-right { content: none } }"
    return f"""
    @page {{
      size: A4;
      margin: {_mm(L.TOP)} {_mm(L.RIGHT)} {_mm(L.BOTTOM)} {_mm(L.LEFT)};
      @footnote {{ margin: 0; padding: 0; border: none; }}
    }}
    /* GB/T 9704 7.5: odd pages right, one character in; even pages left, one character in. */
    @page :right {{ @bottom-right {{ {folio} text-align: right; padding-right: 1em; }} }}
    @page :left {{ @bottom-left {{ {folio} text-align: left; padding-left: 1em; }} }}
    {first_folio}
    {hidden}
    html {{ {_ff(f["fangsong"])} font-size: {_pt(L.BODY_PT)}; line-height: {pitch}; color: #000; }}
    body {{ margin: 0; letter-spacing: {_pt(L.LETTER_SPACING_PT)}; orphans: 1; widows: 1; }}
    p {{ margin: 0; }}
    .head {{ height: {_mm(L.FLAG_TOP_MM)}; overflow: visible; }}
    .head.order {{ height: {_mm(L.ORDER_FLAG_TOP_MM)}; }}
    .mark {{ white-space: nowrap; }}
    .hei {{ {_ff(f["hei"])} }}
    .kai {{ {_ff(f["kai"])} }}
    .xbs {{ {_ff(f["xbs"])} }}
    .flag {{ {_ff(f["xbs"])} color: {L.RED}; text-align: center; line-height: 1; letter-spacing: 0;
             white-space: nowrap; margin: 0; }}
    .flag table {{ margin: 0 auto; border-collapse: collapse; }}
    .flag td {{ padding: 0; vertical-align: middle; line-height: 1.1; }}
    .docno {{ margin-top: {_mm(2 * L.LINE_PITCH_MM)}; text-align: center; white-space: nowrap; }}
    .docno.up {{ text-align: left; }}
    .docno table {{ width: 100%; border-collapse: collapse; }}
    .docno td {{ padding: 0; vertical-align: bottom; }}
    .redrule {{ height: 0; border-top: 0.6mm solid {L.RED};
                margin-top: {_mm(L.RULE_BELOW_NUMBER_MM - half_leading_mm)}; }}
    .title {{ {_ff(f["xbs"])} font-size: {_pt(L.TITLE_PT)}; text-align: center; letter-spacing: 0;
              margin: {_mm(2 * L.LINE_PITCH_MM - L.LINE_PITCH_MM / 2)} 0 0 0; line-height: {pitch}; }}
    .mainto {{ margin-top: {_mm(L.LINE_PITCH_MM)}; }}
    .body p {{ text-indent: 2em; text-align: justify; }}
    .body p.h1 {{ {_ff(f["hei"])} }}
    .body p.h2 {{ {_ff(f["kai"])} }}
    .body table {{ border-collapse: collapse; width: 100%; letter-spacing: 0; font-size: 12pt;
                   line-height: 1.5; margin: 0.5em 0; }}
    .body td {{ border: 0.5pt solid #000; padding: 1mm; vertical-align: top; }}
    .attach {{ margin-top: {_mm(L.LINE_PITCH_MM)}; padding-left: calc(5 * {ch}); text-indent: calc(-3 * {ch}); }}
    .attach.single {{ padding-left: 0; text-indent: 2em; }}
    .attach {{ page-break-inside: avoid; }}
    .attach p {{ margin: 0; }}
    .sign {{ position: relative; margin-top: {_mm(1.5 * L.LINE_PITCH_MM)}; page-break-inside: avoid;
             page-break-before: avoid; }}
    .sign {{ text-align: right; padding-right: calc(4 * {ch}); }}
    .sign .box {{ display: inline-block; position: relative; text-align: center; text-indent: 0; }}
    /* 署名 is centred on 成文日期 and may be wider than it: it overhangs both sides equally. */
    .sign .box .organ {{ margin: 0 -40mm; }}
    .sign .box div {{ white-space: nowrap; }}
    .sign img.seal {{ position: absolute; width: {_mm(L.SEAL_MM)}; height: {_mm(L.SEAL_MM)};
                      top: {_mm(L.LINE_PITCH_MM * 1.15 - L.SEAL_MM / 2)}; left: 50%;
                      margin-left: {_mm(-L.SEAL_MM / 2)}; }}
    .note {{ text-indent: 2em; page-break-before: avoid; }}
    .minutes-list {{ margin-top: {_mm(L.LINE_PITCH_MM)}; padding-left: calc(3 * {ch}); text-indent: calc(-3 * {ch}); }}
    .colophon {{ float: footnote; font-size: {_pt(L.FOLIO_PT)}; letter-spacing: 0; line-height: {_mm(L.LINE_PITCH_MM * 0.7)}; }}
    .colophon::footnote-call, ::footnote-call {{ content: none; }}
    .colophon::footnote-marker, ::footnote-marker {{ content: none; }}
    .colophon .thick {{ border-top: 0.35mm solid #000; height: 0; }}
    .colophon .thin {{ border-top: 0.25mm solid #000; height: 0; }}
    .colophon .cc {{ padding: 0 1em; }}
    .colophon table {{ width: 100%; border-collapse: collapse; }}
    .colophon td {{ padding: 0 1em; white-space: nowrap; }}
    /* 信函格式 (GB/T 9704 10.1): flag 30 mm from the page top, double red rules 170 mm long. */
    .double {{ margin-left: -7mm; width: 170mm; height: 1.6mm; border-top: 1mm solid {L.RED};
               border-bottom: 0.35mm solid {L.RED}; box-sizing: border-box; }}
    .double.top {{ margin-top: 4mm; }}
    .double.bottom {{ position: absolute; left: 0; top: {_mm(L.PAGE_H - 20 - L.TOP - 1.6)};
                      border-top: 0.35mm solid {L.RED}; border-bottom: 1mm solid {L.RED}; }}
    .letter .docno {{ margin-top: 0; text-align: right; padding-right: 0; }}
    .letter .marks {{ margin-top: 0; }}
    """


def _width(text: str) -> float:
    """Width in ems: ASCII about 0.6 (proportional digits of the title fonts), CJK full-width."""
    return sum(0.6 if ord(c) < 0x80 else 1.0 for c in text)


_OPENING, _CLOSING = "《（(“‘〔【", "》）)”’〕】，。、；：！？,.;:!?"
_UNITS = "年月日号期届次个项条"


def _glue(words: list[str]) -> list[str]:
    """Keep 2026年, 《…》 edges and punctuation with their neighbours: no line starts with a closing
    mark or ends with an opening one."""
    out: list[str] = []
    carry = ""
    for word in words:
        word = carry + word
        carry = ""
        if out and (word[0] in _CLOSING or (word[0] in _UNITS and out[-1][-1:].isdigit())):
            out[-1] += word
        elif word[-1] in _OPENING:
            carry = word
        else:
            out.append(word)
    if carry:
        out.append(carry)
    return out


def title_lines(title: str) -> list[str]:
    """GB/T 9704 7.3.1: a long title breaks between words into lines of similar length, the upper
    ones no shorter (梯形/菱形), never leaving a single character alone."""
    per_line = int(L.AREA_W / (L.TITLE_PT * L.MM_PER_PT))  # 20 characters of 2号
    total = _width(title)
    if total <= per_line:
        return [title]
    try:
        import rjieba

        words = list(rjieba.cut(title))
    except ImportError:  # pragma: no cover - rjieba is a dependency
        words = list(title)
    words = _glue(words)
    n = -(-int(total + 0.99) // per_line)
    target = total / n
    lines, current = [], ""
    for word in words:
        if current and (
            _width(current + word) > per_line or (_width(current) >= target and len(lines) < n - 1)
        ):
            lines.append(current)
            current = ""
        while _width(word) > per_line:  # a "word" longer than a line: cut it
            lines.append(word[:per_line])
            word = word[per_line:]
        current += word
    lines.append(current)
    return lines


def _flag(spec: DocumentSpec) -> str:
    if spec.layout == "minutes":
        text = spec.flag_text or f"{(spec.organs or [''])[0]}纪要"
        return _flag_line(text)
    if spec.layout == "order":
        return _flag_line(spec.flag_text or f"{(spec.organs or [''])[0]}令")
    if spec.flag_text or len(spec.organs) <= 1:
        suffix = "" if spec.layout == "letter" else "文件"
        top = L.LETTER_FLAG_TOP_MM - L.TOP if spec.layout == "letter" else 0.0
        return _flag_line(spec.flag_text or (spec.organs[0] + suffix if spec.organs else ""), top_mm=top)
    # 联合行文 (GB/T 9704 7.2.3): organs stacked, 文件 to their right, centred on them.
    longest = max(len(o) for o in spec.organs) + (0 if spec.layout == "letter" else 2)
    size = min(15.0, (L.AREA_W - 4) / longest, 100 / (len(spec.organs) * 1.1))
    names = "".join(f"<div>{escape(o)}</div>" for o in spec.organs)
    tail = "" if spec.layout == "letter" else "<td>文件</td>"
    top = L.LETTER_FLAG_TOP_MM - L.TOP if spec.layout == "letter" else 0.0
    return f'<div class="flag" style="font-size:{_mm(size)};margin-top:{_mm(top)}"><table><tr><td>{names}</td>{tail}</tr></table></div>'


# The ink of a CJK ideograph starts about 0.077 em below the top of a 1-em line box (measured on
# Noto Serif CJK; 方正小标宋 is within a few hundredths of a millimetre at this size).
FLAG_INK_EM = 0.077


def _flag_line(text: str, *, top_mm: float = 0.0) -> str:
    size = min(15.0, (L.AREA_W - 4) / max(len(text), 1))
    margin = top_mm - FLAG_INK_EM * size
    return f'<div class="flag" style="font-size:{_mm(size)};margin-top:{_mm(margin)}">{escape(text)}</div>'


def _marks(spec: DocumentSpec) -> str:
    """份号 line 1; 密级★保密期限 and 紧急程度 below it in 3号黑体 (GB/T 9704 7.2.1–7.2.2)."""
    out = []
    if spec.copy_no:
        out.append(f'<div class="mark">{escape(spec.copy_no)}</div>')
    if spec.secrecy:
        text = spec.secrecy + (f"★{spec.secrecy_period}" if spec.secrecy_period else "")
        out.append(f'<div class="mark hei">{escape(text)}</div>')
    if spec.urgency:
        out.append(f'<div class="mark hei">{escape(spec.urgency)}</div>')
    return "".join(out)


def _docno(spec: DocumentSpec) -> str:
    if spec.direction == "up" and spec.signers and spec.layout == "standard":
        # 上行文 (7.2.4): number left +1 char; 签发人 right −1 char, level with the last signer.
        names = "<br>".join(f'<span class="kai">{escape(n)}</span>' for n in spec.signers)
        return (
            '<div class="docno up"><table><tr>'
            f'<td style="padding-left:1em">{escape(spec.doc_number)}</td>'
            f'<td style="text-align:right;padding-right:1em">签发人：<span style="display:inline-block;'
            f'text-align:left;vertical-align:bottom">{names}</span></td>'
            "</tr></table></div>"
        )
    return f'<div class="docno">{escape(spec.doc_number)}</div>' if spec.doc_number else ""


def _body(spec: DocumentSpec) -> str:
    out = []
    for block in parse_body(spec.body_html):
        if isinstance(block, Paragraph):
            cls = f' class="h{block.level}"' if block.level else ""
            out.append(f"<p{cls}>{escape(block.text)}</p>")
        elif isinstance(block, Table):
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in block.rows)
            out.append(f"<table>{rows}</table>")
    return f'<div class="body">{"".join(out)}</div>'


def _attachments(spec: DocumentSpec) -> str:
    """附件说明 (7.3.4): one line below the body, indented 2; several are numbered 1. 2. …"""
    if not spec.attachments:
        return ""
    if len(spec.attachments) == 1:
        return f'<div class="attach single">附件：{escape(spec.attachments[0])}</div>'
    hidden = '<span style="visibility:hidden">附件：</span>'
    lines = [
        f"<p>{'附件：' if i == 1 else hidden}{i}.{escape(a)}</p>" for i, a in enumerate(spec.attachments, 1)
    ]
    return f'<div class="attach">{"".join(lines)}</div>'


def _sign(spec: DocumentSpec, seal_png: bytes | None) -> str:
    """署名 centred over 成文日期, the date 4 characters from the right, the seal over both (7.3.5.1)."""
    names = [n for n in (spec.signature or "").splitlines() if n.strip()]
    date = cn_date(spec.written_date)
    if not names and not date:
        return ""
    lines = "".join(f'<div class="organ">{escape(n)}</div>' for n in names)
    if date:
        lines += f"<div>{escape(date)}</div>"
    seal = ""
    if seal_png:
        data = base64.b64encode(seal_png).decode("ascii")
        seal = f'<img class="seal" alt="" src="data:image/png;base64,{data}">'
    return f'<div class="sign" id="tb-sign"><div class="box" id="tb-signbox">{lines}{seal}</div></div>'


def _colophon(spec: DocumentSpec) -> str:
    """版记 (7.4): 抄送 and 印发机关/日期 between full-width rules at the foot of the last page."""
    if not (spec.cc or spec.printer_organ or spec.printed_date):
        return ""
    rows = ['<div class="thick"></div>']
    if spec.cc:
        cc = spec.cc.rstrip("。，,；; ")
        rows.append(f'<div class="cc">抄送：{escape(cc)}。</div>')
        rows.append('<div class="thin"></div>')
    printed = cn_date(spec.printed_date)
    rows.append(
        f"<table><tr><td>{escape(spec.printer_organ)}</td>"
        f'<td style="text-align:right">{escape(printed)}{"印发" if printed else ""}</td></tr></table>'
    )
    rows.append('<div class="thick"></div>')
    return f'<div class="colophon" id="tb-colophon">{"".join(rows)}</div>'


def document_html(
    spec: DocumentSpec, *, seal_png: bytes | None = None, hide_folio_pages: tuple[int, ...] = ()
) -> str:
    parts: list[str] = []
    if spec.layout == "letter":
        parts.append(_flag(spec))
        parts.append('<div class="double top"></div><div class="double bottom"></div>')
        marks = _marks(spec)
        parts.append(
            '<table style="width:100%;border-collapse:collapse"><tr>'
            f'<td style="padding:0;vertical-align:top">{marks}</td>'
            f'<td style="padding:0;vertical-align:top;text-align:right">{escape(spec.doc_number)}</td>'
            "</tr></table>"
        )
    elif spec.layout == "order":
        parts.append(f'<div class="head order">{_marks(spec)}</div>')
        parts.append(_flag(spec))
        parts.append(f'<div class="docno">{escape(spec.doc_number)}</div>' if spec.doc_number else "")
    else:
        parts.append(f'<div class="head">{_marks(spec)}</div>')
        parts.append(_flag(spec))
        parts.append(_docno(spec) or f'<div class="docno">{"&nbsp;"}</div>')
        parts.append('<div class="redrule"></div>')
    if spec.layout != "order":
        title = "<br>".join(escape(line) for line in title_lines(spec.title))
        parts.append(f'<div class="title">{title}</div>')
    if spec.main_to:
        main_to = spec.main_to.rstrip("：:，, ") + "："
        parts.append(f'<div class="mainto">{escape(main_to)}</div>')
    elif spec.layout == "order":
        parts.append(f'<div style="height:{_mm(L.LINE_PITCH_MM)}"></div>')
    parts.append(_body(spec))
    parts.append(_attachments(spec))
    if spec.layout == "minutes":
        for label, names in (("出席", spec.attendees), ("列席", spec.observers)):
            if names:
                parts.append(
                    f'<div class="minutes-list"><span class="hei">{label}：</span>{escape("、".join(names))}</div>'
                )
    parts.append(_sign(spec, seal_png))
    if spec.note:
        note = spec.note.strip().strip("（）()")
        parts.append(f'<div class="note">（{escape(note)}）</div>')
    parts.append('<div id="tb-end" style="height:0"></div>')
    parts.append(_colophon(spec))
    css = stylesheet(spec, hide_folio_pages=hide_folio_pages)
    cls = escape(spec.layout)
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(spec.title)}</title>'
        f'<style>{css}</style></head><body class="{cls}">{"".join(parts)}</body></html>'
    )
