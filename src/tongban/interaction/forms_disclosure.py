"""Forms of the disclosure requests: the public application (person / organisation), the look-up,
the applicant's 补正, and the officers' actions. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.interaction import disclosure_fees
from tongban.interaction.antispam import ChallengeFormMixin
from tongban.interaction.disclosure_table import REASONS
from tongban.interaction.models import ApplicantType, DeliveryMethod, Outcome, ProvisionForm, RequestChannel

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    widget = MultiFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiFileInput(attrs={"class": "form-control", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultiFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _char(
    label: Any, *, required: bool = True, max_length: int = 200, textarea: bool = False, help_text: Any = ""
) -> forms.CharField:
    widget = forms.Textarea(attrs={**TEXT, "rows": 4}) if textarea else forms.TextInput(attrs=TEXT)
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget, help_text=help_text
    )


class ApplyForm(ChallengeFormMixin, forms.Form):
    applicant_type = forms.ChoiceField(
        label=_("申请人类型"), choices=ApplicantType.choices, initial=ApplicantType.PERSON,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    name = _char(_("姓名或名称"), max_length=128, help_text=_("自然人填写姓名；法人或其他组织填写名称。"))
    id_number = _char(_("身份证号码或统一社会信用代码"), max_length=18)
    legal_representative = _char(_("法定代表人"), required=False, max_length=64)
    contact_name = _char(_("联系人"), required=False, max_length=64)
    phone = _char(_("手机号码"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs=TEXT))
    address = _char(_("通信地址"), required=False)
    postcode = _char(_("邮政编码"), required=False, max_length=6)
    organ = forms.TypedChoiceField(label=_("受理机关"), coerce=int, widget=forms.Select(attrs=SELECT))
    description = _char(
        _("所需政府信息的名称、文号或便于查询的其他特征性描述"), max_length=2000, textarea=True
    )
    purpose = _char(_("用途（选填）"), required=False, max_length=500, textarea=True)
    provision_form = forms.ChoiceField(
        label=_("提供形式"),
        choices=ProvisionForm.choices,
        initial=ProvisionForm.ELECTRONIC,
        widget=forms.Select(attrs=SELECT),
    )
    delivery_method = forms.ChoiceField(
        label=_("获取方式"),
        choices=DeliveryMethod.choices,
        initial=DeliveryMethod.ONLINE,
        widget=forms.Select(attrs=SELECT),
    )
    files = MultiFileField(label=_("附件（选填，最多 5 个）"))  # type: ignore[assignment]

    field_order = [
        "applicant_type", "name", "id_number", "legal_representative", "contact_name", "phone", "email",
        "address", "postcode", "organ", "description", "purpose", "provision_form", "delivery_method", "files",
        "challenge", "challenge_token",
    ]  # fmt: skip

    def __init__(self, *args: Any, organs: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["organ"].choices = [("", _("请选择"))] + [(u.pk, u.name) for u in organs]  # type: ignore[attr-defined]
        self.fields["challenge"].widget.attrs.update({"class": "form-control", "inputmode": "numeric"})


class RegisterForm(forms.Form):
    """An officer registers a paper request (当面 / 邮寄 / 传真)."""

    channel = forms.ChoiceField(
        label=_("申请方式"),
        choices=[c for c in RequestChannel.choices if c[0] != RequestChannel.ONLINE],
        widget=forms.Select(attrs=SELECT),
    )
    received_on = forms.DateField(
        label=_("收到申请日期（邮寄为签收日期）"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )


class LookupForm(forms.Form):
    code = _char(_("申请编号"), max_length=24)
    id_number = _char(_("身份证号码或统一社会信用代码"), max_length=18)


class SupplementForm(forms.Form):
    text = _char(_("补正内容"), max_length=2000, textarea=True)
    files = MultiFileField(label=_("补正材料（选填）"))  # type: ignore[assignment]


class WithdrawForm(forms.Form):
    note = _char(_("撤回说明（选填）"), required=False, max_length=500)


class NoteForm(forms.Form):
    note = _char(_("说明"), required=False, max_length=2000, textarea=True)


class SupplementAskForm(forms.Form):
    text = _char(_("需要补正的事项"), max_length=2000, textarea=True)
    period = forms.IntegerField(
        label=_("补正期限（工作日）"),
        min_value=1,
        max_value=30,
        initial=15,
        widget=forms.NumberInput(attrs=TEXT),
    )


class ConsultForm(forms.Form):
    third_party = _char(_("第三方名称"))
    note = _char(_("征求意见事项"), required=False, max_length=2000, textarea=True)


class ConsultEndForm(forms.Form):
    note = _char(_("第三方意见"), max_length=2000, textarea=True)


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长工作日数"), min_value=1, max_value=20, initial=20, widget=forms.NumberInput(attrs=TEXT)
    )
    reason = _char(_("延期理由"), max_length=500, textarea=True)


class FeeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("计费方式"), choices=disclosure_fees.METHODS, widget=forms.Select(attrs=SELECT)
    )
    count = forms.IntegerField(
        label=_("件数序号或页数"), required=False, min_value=1, max_value=100000, widget=forms.NumberInput(attrs=TEXT),
        help_text=_("按件计收可留空，自动计算该申请人本月的第几件；按量计收填写页数。"),
    )  # fmt: skip


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=Outcome.choices, widget=forms.Select(attrs=SELECT)
    )
    reason = forms.ChoiceField(
        label=_("具体情形"), required=False, widget=forms.Select(attrs=SELECT),
        choices=[("", "—")] + [(f"{k}", f"{Outcome(o).label}：{label}") for o, rs in REASONS.items() for k, label in rs],
    )  # fmt: skip
    text = _char(_("答复内容"), max_length=10000, textarea=True)
    files = MultiFileField(label=_("答复材料（选填）"))  # type: ignore[assignment]
