"""Forms of the mailbox pages: they only parse; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.interaction.antispam import ChallengeFormMixin
from tongban.interaction.models import LetterKind, Rating


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
                w.attrs["aria-invalid"] = "true"
                w.attrs["aria-describedby"] = f"id_{name}_error"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class LetterForm(ChallengeFormMixin, StyledForm):
    mailbox = forms.TypedChoiceField(label=_("写信给"), coerce=int)
    kind = forms.ChoiceField(label=_("来信类型"), choices=LetterKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)
    writer_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=20, help_text=_("查询答复时需要填写。"))
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    address = forms.CharField(label=_("联系地址"), max_length=200, required=False)
    attachments = MultipleFileField(
        label=_("附件（选填，最多 3 个，每个不超过 10 MB）"),
        required=False,
        help_text=_("支持 pdf、jpg、png、doc、docx、txt。"),
    )
    may_publish = forms.BooleanField(
        label=_("同意在网站公开来信及答复（不公开联系方式）"), required=False, initial=True
    )

    def __init__(self, *args: Any, mailboxes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mailbox"].choices = mailboxes
        self.order_fields(
            ["mailbox", "kind", "title", "content", "writer_name", "phone", "email", "address", "attachments",
             "may_publish", "challenge", "challenge_token"]
        )  # fmt: skip


class LookupForm(StyledForm):
    code = forms.CharField(label=_("查询码"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), max_length=20)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价意见（选填）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RehandleForm(forms.Form):
    reason = forms.CharField(label=_("重办理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


# --- staff -------------------------------------------------------------------------------------
class RouteForm(StyledForm):
    unit = forms.TypedChoiceField(label=_("承办单位"), coerce=int)
    note = forms.CharField(
        label=_("转办说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *units]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(StyledForm):
    content = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("通过并答复")), ("return", _("退回修改"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    content = forms.CharField(
        label=_("答复内容（可修改）"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    note = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvalidForm(StyledForm):
    category = forms.ChoiceField(label=_("无效原因"))
    reason = forms.CharField(label=_("认定理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from tongban.interaction.letters import INVALID_REASONS

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(INVALID_REASONS.items())


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("督办意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
