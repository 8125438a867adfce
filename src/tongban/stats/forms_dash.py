"""Forms of the dashboards' pages: feedback, triage, unit costs, changelog entries. The services
validate again (the API uses them without the forms)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.stats import feedback as fb_svc
from tongban.stats.models import ChangelogEntry, FeedbackKind, FeedbackStatus


class _Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                continue
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


class FeedbackForm(_Styled):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=FeedbackKind.choices,
        initial=FeedbackKind.SUGGESTION,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("标题"), max_length=fb_svc.TITLE_MAX)
    body = forms.CharField(
        label=_("内容"),
        max_length=fb_svc.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写清楚您想改进什么，或问题是怎样出现的（做了什么、看到了什么）。"),
    )
    page_url = forms.CharField(label=_("所在页面"), max_length=500, required=False)
    page_title = forms.CharField(label=_("页面标题"), max_length=200, required=False)


class AnswerForm(_Styled):
    status = forms.ChoiceField(
        label=_("处理结果"), choices=[(s.value, s.label) for s in fb_svc.TRIAGE_STATUSES]
    )
    answer = forms.CharField(
        label=_("答复"), max_length=fb_svc.BODY_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    changelog = forms.ModelChoiceField(
        label=_("关联更新日志"), queryset=ChangelogEntry.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["changelog"].queryset = ChangelogEntry.objects.order_by("-released_on", "-pk")  # type: ignore[attr-defined]


class CostsForm(_Styled):
    paper_per_page = forms.DecimalField(
        label=_("每页纸张费用（元）"),
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        decimal_places=4,
        max_digits=8,
    )
    print_per_page = forms.DecimalField(
        label=_("每页印刷费用（元）"),
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        decimal_places=4,
        max_digits=8,
    )
    delivery_per_copy = forms.DecimalField(
        label=_("每份传递费用（元）"),
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        decimal_places=2,
        max_digits=8,
    )
    default_pages = forms.IntegerField(label=_("无页数时按页计"), min_value=1, max_value=500)


class ChangelogForm(_Styled):
    title = forms.CharField(label=_("标题"), max_length=128)
    version = forms.CharField(label=_("版本"), max_length=32, required=False)
    released_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}))
    published = forms.BooleanField(label=_("公开（全体人员可见）"), required=False)
    feedback = forms.MultipleChoiceField(
        label=_("关联已采纳/已完成的意见"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["feedback"].choices = [  # type: ignore[attr-defined]
            (str(f.pk), f"#{f.pk} {f.title}（{f.get_status_display()}）")
            for f in fb_svc.linkable_feedback()[:200]
        ]


__all__ = ["AnswerForm", "ChangelogForm", "CostsForm", "FeedbackForm", "FeedbackStatus"]
