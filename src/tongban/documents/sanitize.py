"""An allow-list HTML sanitiser for document bodies (from the editor or converted from .docx).

Built on the standard library's ``html.parser``: every tag not in ``ALLOWED_TAGS`` is dropped (its
text kept, except inside ``script``/``style``/… whose content is dropped too), every attribute not
allowed for its tag is dropped, ``class`` keeps only the editor's alignment/indent classes, and
there are no URLs at all (no ``href``/``src``: a body never links out or loads anything). The output
is well formed: unclosed tags are closed, stray closing tags ignored."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h1", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
        "ol", "ul", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br"})
DROP_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
)
ALLOWED_ATTRS = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "ol": {"start"}}
# Quill's alignment and indent classes; nothing else survives in ``class``.
CLASS_RE = re.compile(r"^ql-(align-(center|right|justify)|indent-[1-8])$")
RENAME = {"b": "strong", "i": "em"}
MAX_LENGTH = 2_000_000


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in DROP_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        tag = RENAME.get(tag, tag)
        kept: list[str] = []
        for name, value in attrs:
            name = name.lower()
            value = value or ""
            if name in ALLOWED_ATTRS.get(tag, set()) and value.isdigit() and len(value) <= 3:
                kept.append(f' {name}="{value}"')
            elif name == "class":
                classes = [c for c in value.split() if CLASS_RE.match(c)]
                if classes:
                    kept.append(f' class="{html.escape(" ".join(classes))}"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() in VOID_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        tag = RENAME.get(tag, tag)
        if tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    def close(self) -> None:
        super().close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")


def clean_html(value: str) -> str:
    """The body with only allowed tags and attributes; text is escaped."""
    value = (value or "")[:MAX_LENGTH]
    cleaner = _Cleaner()
    cleaner.feed(value)
    cleaner.close()
    result = "".join(cleaner.out).strip()
    # An editor's empty document is "<p><br></p>": treat it as empty.
    if re.fullmatch(r"(<p>(<br>)?</p>\s*)*", result):
        return ""
    return result


_BLOCK_END = re.compile(r"</(p|h[1-4]|li|tr|blockquote|div)>|<br>", re.I)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    """Plain text of a (clean) body, one line per block — for search and for comparison."""
    text = _BLOCK_END.sub("\n", value or "")
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
