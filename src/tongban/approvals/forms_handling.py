"""Forms of the staff case page and the counter (窗口代办). They only parse input; the rules are
checked by the services in :mod:`tongban.approvals.handling` (and ``applying.case_submit``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.approvals import handling
from tongban.approvals.models import ApplicantKind, Decision, PauseReason, RejectReason


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("受理意见"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("不予受理理由"), choices=[("", "—"), *RejectReason.choices], required=False
    )
    text = forms.CharField(
        label=_("具体事实和理由"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupplementForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label=_("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    items_text = forms.CharField(
        label=_("需补正的其他内容"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    late_reason = forms.CharField(
        label=_("逾期、再次或受理后补正的理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("收件 5 个工作日后、第二次或受理后要求补正时必填，并将记录在案。"),
    )

    def __init__(
        self, *args: Any, material_choices: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["materials"]
        field.choices = [(str(k), v) for k, v in (material_choices or [])]


class ReviewForm(forms.Form):
    opinion = forms.CharField(
        label=_("审查意见"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"), choices=[(Decision.GRANT, Decision.GRANT.label), (Decision.REFUSE, Decision.REFUSE.label)],
        widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    reasons = forms.CharField(
        label=_("理由"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予许可的，应当说明理由（第三十八条）。"),
    )  # fmt: skip
    appeal_rights = forms.CharField(
        label=_("救济途径告知"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        initial=handling.DEFAULT_APPEAL_RIGHTS,
    )  # fmt: skip


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("挂起事由（第四十五条）"), choices=PauseReason.choices)
    expected_days = forms.IntegerField(label=_("预计工作日"), min_value=1, max_value=handling.MAX_PAUSE_DAYS)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResumeForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=15)
    reason = forms.CharField(
        label=_("延期理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecideForm(forms.Form):
    approve = forms.ChoiceField(
        label=_("审批"), choices=[("1", _("同意延期")), ("0", _("不同意"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("审批意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FeeForm(forms.Form):
    name = forms.CharField(label=_("收费项目"), max_length=200)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0)


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("撤回方式和理由"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CounterForm(forms.Form):
    """窗口代办: the applicant's details as on their ID card or business licence."""

    item = forms.CharField(label=_("事项编码"), max_length=64)
    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices)
    name = forms.CharField(label=_("申请人"), max_length=128)
    id_number = forms.CharField(label=_("证件号码"), max_length=32, help_text=_("身份证号或统一社会信用代码"))
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    title = forms.CharField(label=_("申请事由"), max_length=200, required=False)

    def applicant(self) -> dict[str, str]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "name": d["name"],
            "id_number": d["id_number"],
            "phone": d["phone"],
            "contact_name": d.get("contact_name", ""),
            "address": d.get("address", ""),
        }


ACTION_FORMS: dict[str, Any] = {
    "accept": AcceptForm,
    "reject": RejectForm,
    "supplement": SupplementForm,
    "review": ReviewForm,
    "decide": DecideForm,
    "pause": PauseForm,
    "resume": ResumeForm,
    "extend": ExtensionForm,
    "fee": FeeForm,
    "withdraw": WithdrawForm,
}
