"""The English catalog (locale/en/LC_MESSAGES): every entry translated, the committed .mo compiled
from the committed .po, and the pages actually switching language."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%%")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """A small PO reader (header entry, other entries); obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    cur: Entry | None = None
    target: tuple[str, int | None] | None = None  # the field that "..." continuation lines extend

    def append(where: tuple[str, int | None], text: str) -> None:
        assert cur is not None
        name, index = where
        if name == "msgstr_plural":
            assert index is not None
            cur.msgstr_plural[index] = cur.msgstr_plural.get(index, "") + text
        else:
            setattr(cur, name, (getattr(cur, name) or "") + text)

    pending_flags: set[str] = set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            cur, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert target is not None, f"{path}:{n}: continuation outside an entry"
            append(target, ast.literal_eval(line))
            continue
        text = ast.literal_eval(rest)
        if keyword == "msgctxt":
            cur = Entry(line=n, msgctxt="")
            entries.append(cur)
            target = ("msgctxt", None)
        elif keyword == "msgid":
            if cur is None or target is None or target[0] != "msgctxt":
                cur = Entry(line=n)
                entries.append(cur)
            target = ("msgid", None)
        elif keyword == "msgid_plural":
            target = ("msgid_plural", None)
        elif keyword == "msgstr":
            target = ("msgstr", None)
        elif (m := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            target = ("msgstr_plural", int(m.group(1)))
        else:
            raise AssertionError(f"{path}:{n}: unexpected line {raw!r}")
        assert cur is not None
        if pending_flags:
            cur.flags |= pending_flags
            pending_flags = set()
        append(target, text)
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "the catalog needs exactly one header entry"
    return header[0], [e for e in entries if e is not header[0]]


@pytest.fixture(scope="module")
def catalog() -> tuple[Entry, list[Entry]]:
    assert PO.exists(), f"{PO} is missing: run `make messages`"
    return parse_po(PO)


def test_catalog_header(catalog: tuple[Entry, list[Entry]]) -> None:
    header, entries = catalog
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr
    assert "charset=UTF-8" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr
    assert len(entries) > 300  # the whole UI, not a stub


def test_every_entry_is_translated_and_keeps_its_placeholders(catalog: tuple[Entry, list[Entry]]) -> None:
    _, entries = catalog
    problems = []
    for e in entries:
        where = f"django.po:{e.line} {e.msgid!r}"
        if "fuzzy" in e.flags:
            problems.append(f"{where}: fuzzy")
        wanted = set(PLACEHOLDER.findall(e.msgid))
        if e.msgid_plural is not None:
            forms = list(e.msgstr_plural.values())
            if sorted(e.msgstr_plural) != [0, 1] or not all(f.strip() for f in forms):
                problems.append(f"{where}: plural forms missing")
        else:
            forms = [e.msgstr]
            if not e.msgstr.strip():
                problems.append(f"{where}: untranslated")
        for form in forms:
            if form.strip() and set(PLACEHOLDER.findall(form)) != wanted:
                problems.append(f"{where}: placeholders differ in {form!r}")
        for form in [e.msgstr, *e.msgstr_plural.values()]:
            # Chinese may only appear where it names the file format (sheet names, sample values).
            if CJK.search(form) and not CJK.search(e.msgid):
                problems.append(f"{where}: Chinese in a translation of non-Chinese text")
    assert not problems, "\n".join(problems)


def test_committed_mo_matches_the_po(catalog: tuple[Entry, list[Entry]]) -> None:
    """django.mo is committed (no gettext tools at run time), so it must be compiled from this .po:
    every singular entry and both plural forms look up to exactly their msgstr, and the .mo holds
    nothing else."""
    _, entries = catalog
    assert MO.exists(), f"{MO} is missing: run `make messages`"
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    assert mo.info().get("language") == "en"
    expected: dict[Any, str] = {}
    for e in entries:
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else mo.gettext(e.msgid)
            assert got == e.msgstr, f"django.mo is stale for {e.msgid!r}: run `make messages`"
        else:
            for i, form in e.msgstr_plural.items():
                expected[(e.key, i)] = form
            for n, i in ((1, 0), (2, 1)):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                assert got == e.msgstr_plural[i], f"django.mo is stale for {e.msgid!r}: run `make messages`"
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert compiled == expected, "django.mo and django.po differ: run `make messages`"


def _nav(html: str) -> str:
    m = re.search(r'<nav class="[^"]*tb-sidebar[^"]*".*?</nav>', html, re.S)
    assert m is not None, "no sidebar navigation on the page"
    return m.group(0)


def _without_language_switch(html: str) -> str:
    # The switch back to Chinese is labelled in Chinese on purpose.
    return html.replace('lang="zh-CN">中文</button>', "")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["", "system", "security", "audit"])
def test_home_in_english_has_no_chinese(client: Any, make_user: Any, role: str) -> None:
    user = make_user(f"user-{role or 'staff'}", role, full_name="Alice Wang")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Workbench" in html and "Log out" in html and "Hello, Alice Wang" in html
    nav = _nav(html)
    assert "Address book" in nav and "Working-day calendar" in nav
    assert not CJK.findall(nav), f"Chinese left in the English navigation: {CJK.findall(nav)}"
    leftover = CJK.findall(_without_language_switch(html))
    assert not leftover, f"Chinese left on the English home page: {''.join(leftover)}"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cookie", "header"])
def test_login_page_in_english(client: Any, how: str) -> None:
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(reverse("identity:login"))
    else:
        response = client.get(reverse("identity:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Staff login" in html and "Log in" in html and "Username" in html
    assert "工作人员登录" not in html
    leftover = CJK.findall(_without_language_switch(html))
    assert not leftover, f"Chinese left on the English login page: {''.join(leftover)}"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client: Any) -> None:
    response = client.get(reverse("identity:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作人员登录" in html and "登录名" in html
    assert "Staff login" not in html
    assert '<html lang="zh-CN"' in html


@pytest.mark.django_db
def test_language_switch_posts_to_english(client: Any) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("identity:login")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Staff login" in client.get(reverse("identity:login")).content.decode()
