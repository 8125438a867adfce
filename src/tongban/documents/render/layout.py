"""GB/T 9704-2012 measurements (rules.md §2), in millimetres and points.

The type area (版心) is 156 × 225 mm with its top-left corner 37 mm from the top and 28 mm from the
left edge of an A4 page. The body is 3号 (16 pt) and a page holds 22 lines of 28 characters, so the
character pitch is 156 / 28 mm (a 16 pt glyph plus a small negative letter-spacing) and the line pitch
225 / 22 mm."""

from __future__ import annotations

MM_PER_PT = 25.4 / 72

PAGE_W, PAGE_H = 210.0, 297.0
TOP, LEFT = 37.0, 28.0  # 天头, 订口 (GB/T 9704 5.2.1)
AREA_W, AREA_H = 156.0, 225.0  # 版心
RIGHT = PAGE_W - LEFT - AREA_W  # 26 mm
BOTTOM = PAGE_H - TOP - AREA_H  # 35 mm

CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
FOLIO_PT = 14.0  # 4号 page numbers and 版记

CHAR_PITCH_MM = AREA_W / CHARS_PER_LINE  # 5.5714 mm
LINE_PITCH_MM = AREA_H / LINES_PER_PAGE  # 10.2273 mm
CHAR_PITCH_PT = CHAR_PITCH_MM / MM_PER_PT  # 15.793 pt
LINE_PITCH_PT = LINE_PITCH_MM / MM_PER_PT  # 28.99 pt
# A hair under the exact figures so that float rounding never pushes the 28th character or the
# 22nd line over the edge (the error stays below a micrometre a page).
LETTER_SPACING_PT = CHAR_PITCH_PT - BODY_PT - 0.0005
LINE_HEIGHT_PT = LINE_PITCH_PT - 0.0005

FLAG_TOP_MM = 35.0  # 发文机关标志: top edge 35 mm below the type area's top (7.2.3)
LETTER_FLAG_TOP_MM = 30.0  # 信函: 30 mm from the page's top edge (10.1)
ORDER_FLAG_TOP_MM = 20.0  # 命令: 20 mm below the type area's top (10.2)
RULE_BELOW_NUMBER_MM = 4.0  # red rule 4 mm below the 发文字号 (7.2.5)
FOLIO_BELOW_AREA_MM = 7.0  # page numbers 7 mm below the type area (7.5)
SEAL_MM = 42.0  # the seal's diameter as printed

RED = "#e60012"


def expected_first_line_top_mm() -> float:
    """Where the top of a body glyph box sits on a continuation page: the first line box starts at
    the type area's top and the 16 pt glyph is centred in the line pitch (half-leading above)."""
    return TOP + (LINE_PITCH_MM - BODY_PT * MM_PER_PT) / 2
