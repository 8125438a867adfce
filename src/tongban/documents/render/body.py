"""The body (正文) as paragraphs and tables: editor HTML reduced to what GB/T 9704 prints.

Headings are found from the paragraph text (GB/T 9704 7.3.3): 一、 (黑体), （一） (楷体), 1. and （1）
(仿宋)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

_NUM_CN = "一二三四五六七八九十百零〇"
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{_NUM_CN}]+、")),
    (2, re.compile(rf"^[（(][{_NUM_CN}]+[）)]")),
    (3, re.compile(r"^[0-9０-９]+[.．](?![0-9０-９])")),
    (4, re.compile(r"^[（(][0-9０-９]+[）)]")),
)
BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "section"}


@dataclass
class Paragraph:
    text: str
    level: int = 0  # 0 = body text, 1–4 = heading level


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = Paragraph | Table


def heading_level(text: str) -> int:
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return 0


def _clean(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\u3000]+", " ", text).strip(" ")


def _paragraphs(text: str) -> list[Paragraph]:
    out = []
    for line in text.split("\n"):
        line = _clean(line)
        if line:
            out.append(Paragraph(line, heading_level(line)))
    return out


def _text_with_breaks(el: etree._Element) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if isinstance(node.tag, str) and node.tag.lower() == "br":
            parts.append("\n")
        elif node.text and isinstance(node.tag, str) and node.tag.lower() not in {"script", "style"}:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _walk(el: etree._Element, blocks: list[Block]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in {"script", "style", "head", "title", "img", "object", "iframe"}:
        return
    if tag == "table":
        table = Table()
        for tr in el.iter("tr"):
            table.rows.append(
                [_clean(_text_with_breaks(td).replace("\n", " ")) for td in tr if td.tag in ("td", "th")]
            )
        if table.rows:
            blocks.append(table)
        return
    has_block_child = any(
        isinstance(c.tag, str) and c.tag.lower() in BLOCK_TAGS | {"table", "ul", "ol"} for c in el
    )
    if has_block_child:
        if el.text and el.text.strip():
            blocks.extend(_paragraphs(el.text))
        for child in el:
            _walk(child, blocks)
            if child.tail and child.tail.strip():
                blocks.extend(_paragraphs(child.tail))
        return
    blocks.extend(_paragraphs(_text_with_breaks(el)))


def parse_body(html: str) -> list[Block]:
    """Paragraphs and tables of the body, in order. Plain text (no tags) is one paragraph a line."""
    if not html or not html.strip():
        return []
    if "<" not in html:
        return _paragraphs(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _paragraphs(re.sub(r"<[^>]*>", "", html))
    blocks: list[Block] = []
    _walk(root, blocks)
    return blocks
