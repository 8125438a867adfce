"""Forms of the seals pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tongban.seals.services import MAX_VERIFY_BYTES


def read_pdf_upload(upload: UploadedFile | None) -> bytes:
    """The bytes of an uploaded PDF, checked: a .pdf name, at most 20 MB, starts like a PDF."""
    if upload is None:
        raise forms.ValidationError(_("请选择要验证的 PDF 文件。"), code="required")
    name = (upload.name or "").strip()
    if not name.lower().endswith(".pdf") or len(name) > 200 or any(c in name for c in "\\/\x00"):
        raise forms.ValidationError(_("只能验证扩展名为 .pdf 的文件。"), code="name")
    if upload.size is None or upload.size > MAX_VERIFY_BYTES:
        raise forms.ValidationError(_("文件不能超过 20 MB。"), code="size")
    data = upload.read(MAX_VERIFY_BYTES + 1)
    if len(data) > MAX_VERIFY_BYTES:
        raise forms.ValidationError(_("文件不能超过 20 MB。"), code="size")
    if not data.lstrip()[:5] == b"%PDF-":
        raise forms.ValidationError(_("文件内容不是 PDF。"), code="type")
    return data


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("PDF 文件"), help_text=_("不超过 20 MB，仅 .pdf"))

    def clean_file(self) -> bytes:
        return read_pdf_upload(self.cleaned_data.get("file"))


class RevokeForm(forms.Form):
    certificate_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("吊销原因"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
