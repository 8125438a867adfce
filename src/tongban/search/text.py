"""Chinese text for the index: segmentation with rjieba, the query in the same words, and the
highlighted snippet shown under a result."""

from __future__ import annotations

import re
from html import unescape

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

try:
    import rjieba as _jieba

    _cut_for_search = _jieba.cut_for_search
except ImportError:  # pragma: no cover - fallback named in ARCHITECTURE.md
    import jieba as _jieba  # type: ignore[import-not-found,no-redef]

    _cut_for_search = _jieba.lcut_for_search

_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits (CJK included); not punctuation or "_"
MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 12


def plain_text(html_or_text: str) -> str:
    """Tags stripped, entities decoded, whitespace collapsed."""
    if not html_or_text:
        return ""
    text = unescape(strip_tags(html_or_text)) if "<" in html_or_text or "&" in html_or_text else html_or_text
    return _SPACE.sub(" ", text).strip()


def _words(text: str) -> list[str]:
    """rjieba's search-mode words, lower case, cut again at anything that is not a letter or a
    digit (punctuation, spaces, underscores are dropped): what FTS5's unicode61 tokenizer and our
    PostgreSQL lexemes both treat as one token."""
    return _TOKEN.findall(" ".join(_cut_for_search(text.lower())))


def segment(*texts: str) -> str:
    """The index terms of ``texts``: every word of rjieba's search mode (which adds the shorter
    words inside long ones, e.g. 财政预算 → 财政 预算 财政预算), once each, space separated."""
    words: list[str] = []
    for text in texts:
        if text:
            words += _words(text)
    return " ".join(dict.fromkeys(words))


def query_terms(q: str) -> list[str]:
    """The words a query must all match. A long word is replaced by the shorter words rjieba
    finds inside it (财政预算 → 财政, 预算), so a document that has 财政 in its title and 预算 in
    its body is found; a word with no shorter word inside is kept whole."""
    q = (q or "").strip()[:MAX_QUERY_CHARS]
    words = list(dict.fromkeys(_words(q)))
    finest = [w for w in words if not any(o != w and o in w for o in words)]
    return finest[:MAX_QUERY_TERMS]


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every term as a quoted string, implicitly AND-ed."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def pg_tsquery(terms: list[str]) -> str:
    """A ``tsquery`` literal (cast with ``::tsquery``, no parser involved) of the exact lexemes."""
    return " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with every occurrence of a term wrapped in <mark>."""
    if not text:
        return mark_safe("")
    if not terms:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append("<mark>" + escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    # adjacent terms read as one highlight: 乡村 + 振兴 → <mark>乡村振兴</mark>
    return mark_safe("".join(out).replace("</mark><mark>", ""))  # noqa: S308 - every piece escaped above


def snippet(texts: list[str], terms: list[str], *, width: int = 120) -> SafeString:
    """About ``width`` characters around the first term found in the first text that has one,
    escaped and highlighted; the beginning of the first non-empty text when none has a term."""
    lowered = [t.lower() for t in terms]
    for text in texts:
        if not text:
            continue
        low = text.lower()
        hits = [i for i in (low.find(t) for t in lowered) if i >= 0]
        if hits:
            first = min(hits)
            start = max(0, first - width // 3)
            end = min(len(text), start + width)
            piece = text[start:end]
            return mark_safe(  # noqa: S308 - highlight escapes
                ("…" if start > 0 else "") + highlight(piece, terms) + ("…" if end < len(text) else "")
            )
    for text in texts:
        if text:
            return mark_safe(  # noqa: S308 - highlight escapes
                highlight(text[:width], []) + ("…" if len(text) > width else "")
            )
    return mark_safe("")
