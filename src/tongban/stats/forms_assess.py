"""Forms of the assessment pages: a scheme and an indicator. The checks live in
:mod:`tongban.stats.services_assess` (so the pages and the API refuse the same input); these forms
only shape the input and show the errors by the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.orgs.models import Unit
from tongban.stats.models import PeriodKind


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=128)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099)
    period = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    units = forms.ModelMultipleChoiceField(
        label=_("参评单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("不选择时为全部启用的单位"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Unit.objects.filter(is_active=True).order_by("sort", "pk")
        for f in self.fields.values():
            css = (
                "form-select"
                if isinstance(f.widget, (forms.Select, forms.SelectMultiple))
                else "form-control"
            )
            f.widget.attrs.setdefault("class", css)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=64)
    code = forms.CharField(
        label=_("代码"), max_length=32, required=False, help_text=_("字母、数字、下划线；留空自动生成")
    )
    formula = forms.CharField(
        label=_("计算公式"),
        max_length=255,
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "class": "form-control font-monospace"}
        ),
        help_text=_("例如 active_user_days / (staff * workdays)"),
    )
    weight = forms.DecimalField(label=_("权重（分）"), max_digits=6, decimal_places=2)
    target = forms.DecimalField(label=_("目标值"), max_digits=12, decimal_places=4)
    higher_is_better = forms.TypedChoiceField(
        label=_("评分方向"),
        choices=[("1", _("越高越好")), ("0", _("越低越好"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    unit_label = forms.CharField(label=_("计量单位"), max_length=16, required=False)
    note = forms.CharField(label=_("说明"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)


class PeriodForm(forms.Form):
    period = forms.CharField(label=_("考核周期"), max_length=10, required=False)
