"""The fonts an official document needs, and which ones this server has (GB/T 9704-2012, rules.md §2).

仿宋/小标宋/楷体_GB2312 are commercial (方正, 中易); they are used when fontconfig knows them
(``fc-list``), otherwise a free font stands in and the administrator is told which official font is
missing. Fonts are never loaded from the internet. This module lives in ``seals`` (the lowest domain
that draws text: the seal image) so both the seal and the document renderer share one inventory."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FontRole:
    key: str
    label: object  # lazy translation
    official: tuple[str, ...]  # fontconfig family names, preferred first
    fallback: tuple[str, ...]  # free families, preferred first
    fallback_weight: int = 400


# rules.md §2: 小标宋 for 发文机关标志 and 标题, 仿宋 for body, 黑体/楷体 for headings, 宋体 page numbers.
ROLES: tuple[FontRole, ...] = (
    FontRole(
        "xbs",
        _("小标宋（发文机关标志、标题）"),
        ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
        ("Noto Serif CJK SC", "Source Han Serif SC"),
        900,  # Noto Serif CJK SC Black stands in for the heavy 小标宋 strokes
    ),
    FontRole(
        "fangsong",
        _("仿宋_GB2312（正文）"),
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "方正仿宋_GBK", "方正仿宋简体"),
        ("AR PL UKai CN", "LXGW WenKai", "Noto Serif CJK SC"),
    ),
    FontRole(
        "hei",
        _("黑体（一级标题、密级、紧急程度）"),
        ("黑体", "SimHei", "方正黑体_GBK", "方正黑体简体"),
        ("Noto Sans CJK SC", "Source Han Sans SC"),
    ),
    FontRole(
        "kai",
        _("楷体_GB2312（二级标题）"),
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "方正楷体_GBK", "方正楷体简体"),
        ("AR PL UKai CN", "LXGW WenKai", "Noto Serif CJK SC"),
    ),
    FontRole(
        "song",
        _("宋体（页码）"),
        ("宋体", "SimSun", "方正书宋_GBK", "方正书宋简体"),
        ("Noto Serif CJK SC", "AR PL UMing CN"),
    ),
)


@dataclass(frozen=True)
class FontChoice:
    key: str
    label: str
    family: str  # the family the renderer asks for
    weight: int
    official: bool  # True when an official font is installed
    missing: tuple[str, ...]  # official names not installed (empty when one is)
    wanted: str  # the first official name (what the standard expects)


@functools.lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Every family name fontconfig knows (all localised names of each font)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return frozenset()
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names: set[str] = set()
    for line in out.splitlines():
        for name in line.split(","):
            if name.strip():
                names.add(name.strip().replace("\\-", "-"))
    return frozenset(names)


def choose(role: FontRole, families: frozenset[str] | None = None) -> FontChoice:
    families = installed_families() if families is None else families
    for name in role.official:
        if name in families:
            return FontChoice(role.key, str(role.label), name, 400, True, (), role.official[0])
    for name in role.fallback:
        if name in families:
            return FontChoice(
                role.key, str(role.label), name, role.fallback_weight, False, role.official, role.official[0]
            )
    return FontChoice(role.key, str(role.label), "serif", 400, False, role.official, role.official[0])


def choices() -> dict[str, FontChoice]:
    return {role.key: choose(role) for role in ROLES}


def font_report() -> list[dict[str, object]]:
    """One row a font role: the official font wanted, whether it is installed, what is used instead."""
    rows = []
    for choice in choices().values():
        rows.append(
            {
                "role": choice.key,
                "label": choice.label,
                "official": choice.wanted,
                "installed": choice.official,
                "used": choice.family + (" Black" if choice.weight >= 900 else ""),
                "missing": list(choice.missing),
            }
        )
    return rows


@functools.lru_cache(maxsize=32)
def font_file(family: str, style: str = "") -> tuple[str, int] | None:
    """The file (and face index in a collection) fontconfig picks for ``family`` — for Pillow."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    pattern = family + (f":style={style}" if style else "")
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [fc_match, "-f", "%{file}|%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _sep, index = out.partition("|")
    if not path:
        return None
    return path, int(index or 0)
