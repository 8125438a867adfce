"""Forms of the public hall's applicant pages. They parse and show errors; the rules are in the
services (identity.public_services, approvals.applying), whose TongbanError is put back on the
field it names. Every input is tied to its help and error text with aria-describedby."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.approvals.models import RatingLevel

TEXT = {"class": "form-control form-control-lg"}


class PublicForm(forms.Form):
    """Adds Bootstrap classes and ties each input to its help text and error message."""

    def decorate(self) -> PublicForm:
        for name, field in self.fields.items():
            bf = self[name]
            described = []
            if field.help_text:
                described.append(f"{bf.auto_id}-help")
            attrs = field.widget.attrs
            classes = set(attrs.get("class", "").split())
            if self.is_bound and bf.errors:
                described.append(f"{bf.auto_id}-error")
                attrs["aria-invalid"] = "true"
                classes.add("is-invalid")
            if described:
                attrs["aria-describedby"] = " ".join(described)
            attrs["class"] = " ".join(sorted(classes))
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("password", "new_password"):
            if name in self.fields and not isinstance(self, LoginForm):
                from django.contrib.auth.password_validation import password_validators_help_texts

                self.fields[name].help_text = password_validators_help_texts()[0]

    def add_service_error(self, field: str | None, message: Any) -> None:
        self.add_error(field if field in self.fields else None, str(message))


def _text(
    label: Any, *, max_length: int = 128, required: bool = True, help_text: Any = "", **attrs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={**TEXT, **attrs}),
        error_messages={"required": _("请填写%(label)s。") % {"label": label}},
    )


def _password(label: Any, autocomplete: str = "current-password", help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": autocomplete}),
        error_messages={"required": _("请填写%(label)s。") % {"label": label}},
    )


class LoginForm(PublicForm):
    login = _text(
        _("手机号码或统一社会信用代码"),
        max_length=32,
        help_text=_("个人用手机号码登录，企业用统一社会信用代码登录。"),
        autocomplete="username",
    )
    password = _password(_("密码"))


class RegisterForm(PublicForm):
    kind = forms.ChoiceField(
        label=_("账户类型"),
        choices=[("person", _("个人")), ("enterprise", _("企业或其他组织"))],
        initial="person",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    name = _text(
        _("姓名或单位名称"),
        help_text=_("个人填写身份证上的姓名；企业填写营业执照上的名称。"),
        autocomplete="name",
    )
    id_number = _text(_("身份证号码"), max_length=18, required=False, help_text=_("个人必填，18 位。"))
    credit_code = _text(
        _("统一社会信用代码"), max_length=18, required=False, help_text=_("企业必填，18 位。")
    )
    contact_name = _text(_("联系人"), max_length=64, required=False, help_text=_("企业必填。"))
    phone = _text(
        _("手机号码"),
        max_length=11,
        help_text=_("个人的登录账号；企业填写联系人的手机号码。"),
        inputmode="numeric",
        autocomplete="tel",
    )
    code = _text(
        _("短信验证码"), max_length=6, required=False, inputmode="numeric", autocomplete="one-time-code"
    )
    password = _password(_("密码"), "new-password")
    password2 = _password(_("确认密码"), "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ResetForm(PublicForm):
    login = _text(_("手机号码或统一社会信用代码"), max_length=32, autocomplete="username",
                  help_text=_("验证码发送到账户登记的手机号码。"))  # fmt: skip
    code = _text(
        _("短信验证码"), max_length=6, required=False, inputmode="numeric", autocomplete="one-time-code"
    )
    new_password = _password(_("新密码"), "new-password")
    new_password2 = _password(_("确认新密码"), "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


class PasswordChangeForm(PublicForm):
    old_password = _password(_("原密码"))
    new_password = _password(_("新密码"), "new-password")
    new_password2 = _password(_("确认新密码"), "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


class LookupForm(PublicForm):
    tracking_no = _text(_("受理编号"), max_length=32, help_text=_("收件回执或短信中的编号。"))
    who = _text(_("申请人姓名或手机号码"), max_length=128, help_text=_("与申请时填写的一致。"))


def apply_form_class(schema: list[dict[str, Any]]) -> type[PublicForm]:
    """A form with one field per entry of the item version's form_schema."""
    fields: dict[str, forms.Field] = {}
    for spec in schema or []:
        key = str(spec.get("key") or "")
        if not key:
            continue
        label = str(spec.get("label") or key)
        required = bool(spec.get("required"))
        kind = spec.get("type", "text")
        msgs = {"required": _("请填写“%(label)s”。") % {"label": label}}
        field: forms.Field
        if kind == "textarea":
            field = forms.CharField(label=label, required=required, max_length=2000, error_messages=msgs,
                                    widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))  # fmt: skip
        elif kind == "date":
            field = forms.DateField(
                label=label, required=required, error_messages={**msgs, "invalid": _("请填写正确的日期。")},
                widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
            )  # fmt: skip
        elif kind == "number":
            field = forms.DecimalField(label=label, required=required, error_messages={**msgs, "invalid": _("请填写数字。")},
                                       widget=forms.NumberInput(attrs={**TEXT, "step": "any"}))  # fmt: skip
        elif kind == "select":
            choices = [("", _("请选择"))] + [(str(c), str(c)) for c in spec.get("choices") or []]
            field = forms.ChoiceField(label=label, required=required, choices=choices, error_messages=msgs,
                                      widget=forms.Select(attrs={"class": "form-select form-select-lg"}))  # fmt: skip
        else:
            field = forms.CharField(label=label, required=required, max_length=200, error_messages=msgs,
                                    widget=forms.TextInput(attrs=dict(TEXT)))  # fmt: skip
        if spec.get("help"):
            field.help_text = str(spec["help"])
        fields[f"form_{key}"] = field
    fields["title"] = forms.CharField(
        label=_("申请事由（可选）"), required=False, max_length=200, widget=forms.TextInput(attrs=dict(TEXT))
    )
    return type("ApplyForm", (PublicForm,), fields)


SCORE_CHOICES = [(str(i), str(i)) for i in range(5, 0, -1)]


class RateForm(PublicForm):
    level = forms.TypedChoiceField(
        label=_("总体评价"),
        coerce=int,
        choices=[(str(v), label) for v, label in RatingLevel.choices],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择总体评价。")},
    )
    efficiency = forms.TypedChoiceField(label=_("办事效率"), coerce=int, choices=SCORE_CHOICES, initial="5",
                                        widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    guide_accuracy = forms.TypedChoiceField(label=_("办事指南精确度"), coerce=int, choices=SCORE_CHOICES, initial="5",
                                            widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    convenience = forms.TypedChoiceField(label=_("办事便捷度"), coerce=int, choices=SCORE_CHOICES, initial="5",
                                         widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    operability = forms.TypedChoiceField(label=_("平台操作性"), coerce=int, choices=SCORE_CHOICES, initial="5",
                                         widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    comment = forms.CharField(label=_("评价意见"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))  # fmt: skip
    named = forms.BooleanField(label=_("实名评价"), required=False, initial=True,
                               widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))  # fmt: skip
