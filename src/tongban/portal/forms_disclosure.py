"""The annual report's staff form: 上年结转 override, 二、主动公开, 四、复议诉讼 and the text sections.
Texts are plain text from staff; they are stored as escaped paragraphs (never raw HTML)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext_lazy as _

from tongban.interaction.disclosure_table import COLUMNS
from tongban.portal.annual_report import (
    APPLICANT_KEYS,
    PROACTIVE_FIELDS,
    PROACTIVE_LABELS,
    REVIEW_GROUP_LABELS,
    REVIEW_GROUPS,
    REVIEW_RESULT_LABELS,
    REVIEW_RESULTS,
)

FIELD_LABELS = {
    "issued": _("本年制发件数"),
    "repealed": _("本年废止件数"),
    "in_force": _("现行有效件数"),
    "decisions": _("本年处理决定数量"),
    "amount": _("本年收费金额（万元）"),
}


def text_to_html(text: str) -> str:
    """Plain text → escaped paragraphs for a rich-text field."""
    paras = [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paras)


def html_to_text(html: str) -> str:
    from html import unescape

    return unescape(strip_tags(html.replace("</p>", "\n"))).strip()


def _int(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, required=False, initial=0,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
    )  # fmt: skip


class ReportForm(forms.Form):
    use_override = forms.BooleanField(
        label=_("手工填写上年结转数（上一年度的申请不在本系统中时使用）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    overview = forms.CharField(
        label=_("一、总体情况"),
        max_length=20000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )
    problems = forms.CharField(
        label=_("五、存在的主要问题及改进情况"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )
    other = forms.CharField(
        label=_("六、其他需要报告的事项"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        col_labels = dict(COLUMNS)
        for key in APPLICANT_KEYS:
            self.fields[f"carried_over_{key}"] = _int(col_labels[key])
        for row, fields in PROACTIVE_FIELDS.items():
            for f in fields:
                label = f"{PROACTIVE_LABELS[row]}：{FIELD_LABELS[f]}"
                if f == "amount":
                    self.fields[f"proactive_{row}_{f}"] = forms.DecimalField(
                        label=label, min_value=0, max_digits=14, decimal_places=4, required=False, initial=0,
                        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
                    )  # fmt: skip
                else:
                    self.fields[f"proactive_{row}_{f}"] = _int(label)
        for group in REVIEW_GROUPS:
            for r in REVIEW_RESULTS:
                self.fields[f"reviews_{group}_{r}"] = _int(
                    f"{REVIEW_GROUP_LABELS[group]}：{REVIEW_RESULT_LABELS[r]}"
                )

    # groups of bound fields for the template
    def carried_over_fields(self) -> list[Any]:
        return [self[f"carried_over_{k}"] for k in APPLICANT_KEYS]

    def proactive_fields(self) -> list[Any]:
        return [self[f"proactive_{row}_{f}"] for row, fields in PROACTIVE_FIELDS.items() for f in fields]

    def review_fields(self) -> list[tuple[Any, list[Any]]]:
        return [
            (REVIEW_GROUP_LABELS[g], [self[f"reviews_{g}_{r}"] for r in REVIEW_RESULTS])
            for g in REVIEW_GROUPS
        ]

    def values(self) -> dict[str, Any]:
        """The cleaned data in the service's shapes."""
        d = self.cleaned_data
        carried = (
            {k: d.get(f"carried_over_{k}") or 0 for k in APPLICANT_KEYS} if d.get("use_override") else None
        )
        proactive = {
            row: {f: (d.get(f"proactive_{row}_{f}") or 0) for f in fields}
            for row, fields in PROACTIVE_FIELDS.items()
        }
        reviews = {g: {r: d.get(f"reviews_{g}_{r}") or 0 for r in REVIEW_RESULTS} for g in REVIEW_GROUPS}
        return {
            "carried_over": carried,
            "proactive": proactive,
            "reviews": reviews,
            "overview": text_to_html(d["overview"]),
            "problems": text_to_html(d.get("problems") or ""),
            "other": text_to_html(d.get("other") or ""),
        }

    @staticmethod
    def initial_from(page: Any) -> dict[str, Any]:
        """Initial values from an existing report page."""
        init: dict[str, Any] = {
            "overview": html_to_text(page.overview or ""),
            "problems": html_to_text(page.problems or ""),
            "other": html_to_text(page.other or ""),
            "use_override": bool(page.carried_over),
        }
        for k in APPLICANT_KEYS:
            init[f"carried_over_{k}"] = (page.carried_over or {}).get(k, 0)
        for row, fields in PROACTIVE_FIELDS.items():
            for f in fields:
                init[f"proactive_{row}_{f}"] = (page.proactive or {}).get(row, {}).get(f, 0)
        for g in REVIEW_GROUPS:
            for r in REVIEW_RESULTS:
                init[f"reviews_{g}_{r}"] = (page.reviews or {}).get(g, {}).get(r, 0)
        return init
