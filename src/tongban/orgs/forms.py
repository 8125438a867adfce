"""Forms of the organisation pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.orgs.models import BusinessRole, County, Office, Unit, UnitKind


class BootstrapForm(forms.Form):
    """Adds Bootstrap 5 classes to the widgets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select | forms.SelectMultiple):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


def _units(county: County) -> Any:
    return Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")


class UnitForm(BootstrapForm):
    unit_code = forms.CharField(label=_("单位代码"), max_length=32)
    name = forms.CharField(label=_("单位名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=32, required=False)
    code = forms.CharField(
        label=_("机关代字"), max_length=16, required=False, help_text=_("用于发文字号，如“政”“财”。")
    )
    kind = forms.ChoiceField(label=_("类型"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(label=_("上级单位"), queryset=Unit.objects.none(), required=False)
    sort = forms.IntegerField(label=_("排序"), initial=0)
    phone = forms.CharField(label=_("电话"), max_length=32, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _units(county)  # type: ignore[attr-defined]


class OfficeForm(BootstrapForm):
    name = forms.CharField(label=_("科室名称"), max_length=64)
    sort = forms.IntegerField(label=_("排序"), initial=0)


class StaffForm(BootstrapForm):
    username = forms.CharField(label=_("登录名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    mobile = forms.CharField(label=_("手机"), max_length=20, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    unit = forms.ModelChoiceField(label=_("单位（主职）"), queryset=Unit.objects.none())
    office = forms.ModelChoiceField(label=_("科室"), queryset=Office.objects.none(), required=False)
    title = forms.CharField(label=_("职务"), max_length=64, required=False)
    office_phone = forms.CharField(label=_("办公电话"), max_length=32, required=False)
    sort = forms.IntegerField(label=_("排序"), initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, county: County, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(county)  # type: ignore[attr-defined]
        self.fields["office"].queryset = Office.objects.filter(county=county).select_related("unit")  # type: ignore[attr-defined]
        self.fields["office"].label_from_instance = lambda o: f"{o.unit.display_name} · {o.name}"  # type: ignore[attr-defined]
        if editing:
            self.fields["username"].disabled = True
            self.fields["username"].required = False
        else:
            del self.fields["is_active"]


class PostForm(BootstrapForm):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    office = forms.ModelChoiceField(label=_("科室"), queryset=Office.objects.none(), required=False)
    title = forms.CharField(label=_("职务"), max_length=64, required=False)
    office_phone = forms.CharField(label=_("办公电话"), max_length=32, required=False)
    sort = forms.IntegerField(label=_("排序"), initial=0)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(county)  # type: ignore[attr-defined]
        self.fields["office"].queryset = Office.objects.filter(county=county).select_related("unit")  # type: ignore[attr-defined]
        self.fields["office"].label_from_instance = lambda o: f"{o.unit.display_name} · {o.name}"  # type: ignore[attr-defined]


class DutiesForm(BootstrapForm):
    units = forms.ModelMultipleChoiceField(
        label=_("分管单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(county)  # type: ignore[attr-defined]


class RoleGrantForm(BootstrapForm):
    username = forms.CharField(label=_("登录名"), max_length=150)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("业务角色"), choices=BusinessRole.choices)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(county)  # type: ignore[attr-defined]


class ImportForm(BootstrapForm):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv，不超过 5 MB）"))
    csv_kind = forms.ChoiceField(
        label=_("CSV 文件内容"),
        choices=[("units", _("单位")), ("staff", _("人员"))],
        required=False,
        initial="units",
        help_text=_("仅上传 CSV 时需要选择；XLSX 按工作表“单位”“人员”读取。"),
    )
