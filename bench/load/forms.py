"""A small HTML form reader for the load test (standard library only): the fields of one form as
a browser would submit them untouched — hidden and text inputs with their values, checked boxes
and radios, each select's selected option (a single select falls back to its first option, as a
browser does), textareas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)  # select name → option values

    def data(self, **overrides: str | list[str]) -> list[tuple[str, str]]:
        """The submission: the form's own fields, with ``overrides`` replacing fields of the same name."""
        out = [(k, v) for k, v in self.fields if k not in overrides]
        for k, v in overrides.items():
            out.extend((k, x) for x in (v if isinstance(v, list) else [v]))
        return out


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None
        self._select_first: str | None = None
        self._select_chosen: list[str] = []
        self._option: tuple[str, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower(), attrs)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
                return
            form.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs)
            self._select_first = None
            self._select_chosen = []
            form.options[name] = []
        elif tag == "option" and self._select is not None:
            self._option = (attrs.get("value", "\0"), "selected" in attrs)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._text += data

    def _close_option(self) -> None:
        if self._option is None or self._select is None:
            return
        value, selected = self._option
        if value == "\0":
            value = self._option_text.strip()
        self._option = None
        if self._form is not None:
            self._form.options[self._select[0]].append(value)
        if self._select_first is None:
            self._select_first = value
        if selected:
            self._select_chosen.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, multiple = self._select
            chosen = self._select_chosen or (
                [] if multiple or self._select_first is None else [self._select_first]
            )
            if self._form is not None:
                self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def find(html: str, *, action: str = "", form_id: str = "") -> Form | None:
    """The first form whose action matches the regular expression ``action`` (or whose id is ``form_id``)."""
    for form in forms(html):
        if form_id and form.attrs.get("id") == form_id:
            return form
        if action and re.search(action, form.action):
            return form
    return None
