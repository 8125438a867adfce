"""Forms of the 发文 pages: they only parse; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.documents.models import Direction, DocType, Layout, Secrecy, Urgency
from tongban.documents.services import RETENTIONS


class DocumentForm(forms.Form):
    # essentials (always shown)
    title = forms.CharField(label=_("标题"), max_length=200)
    doc_type = forms.ChoiceField(label=_("文种"), choices=DocType.choices, initial=DocType.NOTICE)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, required=False)
    series = forms.TypedChoiceField(label=_("发文字号系列"), coerce=int, required=False, empty_value=None)
    main_units = forms.TypedMultipleChoiceField(label=_("主送单位（县内）"), coerce=int, required=False)
    cc_units = forms.TypedMultipleChoiceField(label=_("抄送单位（县内）"), coerce=int, required=False)
    body_html = forms.CharField(label=_("正文"), required=False, widget=forms.HiddenInput)
    attachment_note = forms.CharField(
        label=_("附件说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个附件名称"),
    )
    # 更多要素 (rarely changed)
    direction = forms.ChoiceField(label=_("行文方向"), choices=Direction.choices, initial=Direction.DOWNWARD)
    layout = forms.ChoiceField(label=_("版式"), choices=Layout.choices, initial=Layout.STANDARD)
    secrecy = forms.ChoiceField(label=_("密级"), choices=Secrecy.choices, required=False)
    secrecy_period = forms.CharField(label=_("保密期限"), max_length=16, required=False)
    named_readers = forms.TypedMultipleChoiceField(
        label=_("知悉人员（密级公文）"), coerce=int, required=False
    )
    copy_no = forms.CharField(
        label=_("份号"), max_length=6, required=False, help_text=_("6位数字，涉密公文必填")
    )
    copies = forms.IntegerField(label=_("印发份数"), min_value=0, required=False)
    flag_text = forms.CharField(label=_("发文机关标志"), max_length=100, required=False)
    organs = forms.TypedMultipleChoiceField(label=_("联合发文机关"), coerce=int, required=False)
    main_to = forms.CharField(label=_("主送机关（印制文字）"), max_length=500, required=False)
    main_external = forms.CharField(
        label=_("县外主送机关"), max_length=500, required=False, help_text=_("用顿号分隔")
    )
    cc_text = forms.CharField(label=_("抄送机关（印制文字）"), max_length=500, required=False)
    cc_external = forms.CharField(
        label=_("县外抄送机关"), max_length=500, required=False, help_text=_("用顿号分隔")
    )
    signature_text = forms.CharField(label=_("发文机关署名"), max_length=200, required=False)
    note = forms.CharField(label=_("附注"), max_length=200, required=False)
    printer_organ = forms.CharField(label=_("印发机关"), max_length=100, required=False)

    ESSENTIAL = ("title", "doc_type", "urgency", "series", "main_units", "cc_units", "attachment_note")
    MORE = (
        "direction",
        "layout",
        "secrecy",
        "secrecy_period",
        "named_readers",
        "copy_no",
        "copies",
        "flag_text",
        "organs",
        "main_to",
        "main_external",
        "cc_text",
        "cc_external",
        "signature_text",
        "note",
        "printer_organ",
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        series: list[tuple[int, str]],
        people: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("main_units", "cc_units", "organs"):
            self.fields[name].choices = units  # type: ignore[attr-defined]
        self.fields["series"].choices = [("", "—"), *series]  # type: ignore[attr-defined]
        self.fields["named_readers"].choices = people  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = (
                "form-select"
                if isinstance(field.widget, (forms.Select, forms.SelectMultiple))
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)
            if isinstance(field.widget, forms.SelectMultiple):
                field.widget.attrs.setdefault("size", "6")

    def essential(self) -> list[Any]:
        return [self[n] for n in self.ESSENTIAL]

    def more(self) -> list[Any]:
        return [self[n] for n in self.MORE]

    def to_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["copies"] = d.get("copies") or 0
        return d


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class ArchiveForm(forms.Form):
    retention = forms.ChoiceField(label=_("保管期限"), choices=list(RETENTIONS.items()))


class SeriesForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int)
    prefix = forms.CharField(label=_("机关代字"), max_length=32, help_text=_("如 青政发"))
    name = forms.CharField(label=_("名称"), max_length=64, required=False)
