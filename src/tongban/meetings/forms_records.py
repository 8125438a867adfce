"""Forms of the recordings and minutes pages: they only parse; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control"

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields:
            w = self.fields[field].widget
            if "is-invalid" not in w.attrs.get("class", ""):
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
            w.attrs["aria-invalid"] = "true"
            w.attrs["aria-describedby"] = f"id_{field}_error"


class RecordingDeleteForm(StyledForm):
    reason = forms.CharField(
        label=_("删除原因"),
        max_length=200,
        error_messages={"required": _("请填写删除原因。"), "max_length": _("删除原因不能超过200个字。")},
    )


class MinutesForm(StyledForm):
    title = forms.CharField(
        label=_("纪要标题"),
        max_length=200,
        error_messages={"required": _("请填写纪要标题。"), "max_length": _("纪要标题不能超过200个字。")},
    )
    body_html = forms.CharField(
        label=_("纪要正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
    )


class DraftForm(StyledForm):
    replace = forms.BooleanField(label=_("覆盖现有内容"), required=False)
