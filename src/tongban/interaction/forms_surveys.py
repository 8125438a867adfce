"""Forms of solicitations and surveys: the public response form (built from the survey's questions,
with the offline challenge) and the staff survey form, whose questions are written as text:

    [单选] 您对办事效率的总体评价是？
    - 满意
    - 一般
    [多选 选填] 您通过哪些渠道办事？
    - 网上办
    - 窗口办
    [文字] 您还有什么建议？
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.interaction.antispam import ChallengeFormMixin
from tongban.interaction.models import QuestionKind, Survey, SurveyKind, SurveyQuestion
from tongban.orgs.models import Unit

KIND_WORDS = {"单选": QuestionKind.SINGLE, "多选": QuestionKind.MULTIPLE, "文字": QuestionKind.TEXT}
_HEAD = re.compile(r"^\[(?P<tag>[^\]]+)\]\s*(?P<text>.+)$")


def parse_questions(text: str) -> list[dict[str, Any]]:
    """The questions written as text (see the module docstring); raises ValueError with a message."""
    out: list[dict[str, Any]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head = _HEAD.match(line)
        if head:
            tag = head.group("tag")
            kinds = [k for word, k in KIND_WORDS.items() if word in tag]
            if len(kinds) != 1:
                raise ValueError(str(_("第 %(n)d 行：题型应为 [单选]、[多选] 或 [文字]。") % {"n": n}))
            out.append(
                {
                    "text": head.group("text").strip(),
                    "kind": kinds[0],
                    "options": [],
                    "required": "选填" not in tag,
                }
            )
        elif line.startswith(("-", "－", "•")):
            if not out or out[-1]["kind"] == QuestionKind.TEXT:
                raise ValueError(str(_("第 %(n)d 行：选项应写在单选或多选题目下面。") % {"n": n}))
            out[-1]["options"].append(line.lstrip("-－• ").strip())
        else:
            raise ValueError(
                str(_("第 %(n)d 行：题目以 [单选]/[多选]/[文字] 开头，选项以“-”开头。") % {"n": n})
            )
    return out


def questions_as_text(questions: list[SurveyQuestion]) -> str:
    words: dict[str, str] = {str(v): k for k, v in KIND_WORDS.items()}
    lines = []
    for q in questions:
        tag = words[q.kind] + ("" if q.required else " 选填")
        lines.append(f"[{tag}] {q.text}")
        lines += [f"- {o}" for o in q.options]
    return "\n".join(lines)


class SurveyForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=SurveyKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 6}))
    unit = forms.ModelChoiceField(label=_("发起单位"), queryset=Unit.objects.none())
    starts_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    draft_file = forms.FileField(label=_("征求意见稿（PDF/Word/OFD，选填）"), required=False)
    questions = forms.CharField(
        label=_("题目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "每题一行，以 [单选]、[多选] 或 [文字] 开头（加“选填”为非必答），选项各占一行以“-”开头。意见征集留空时默认一道“意见建议”。"
        ),
    )

    def __init__(self, *args: Any, county: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")
        if survey is not None:
            del self.fields["kind"]
            if survey.status != "draft":
                del self.fields["questions"]
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("class", "form-select" if name in ("kind", "unit") else "form-control")

    def clean_questions(self) -> list[dict[str, Any]]:
        try:
            return parse_questions(self.cleaned_data.get("questions") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class ResultForm(forms.Form):
    result_summary = forms.CharField(
        label=_("结果反馈/采纳情况"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )


class ResponseForm(ChallengeFormMixin, forms.Form):
    """The public response form: one field per question (``q_<id>``), then name and phone."""

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        fields: dict[str, forms.Field] = {}
        for q in questions:
            name = f"q_{q.pk}"
            choices = [(o, o) for o in q.options]
            if q.kind == QuestionKind.SINGLE:
                fields[name] = forms.ChoiceField(
                    label=q.text, choices=choices, required=q.required, widget=forms.RadioSelect
                )
            elif q.kind == QuestionKind.MULTIPLE:
                fields[name] = forms.MultipleChoiceField(
                    label=q.text, choices=choices, required=q.required, widget=forms.CheckboxSelectMultiple
                )
            else:
                fields[name] = forms.CharField(
                    label=q.text,
                    required=q.required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
                )
        fields["name"] = forms.CharField(label=_("姓名（选填）"), max_length=64, required=False)
        fields["phone"] = forms.CharField(label=_("联系电话（选填，不公开）"), max_length=20, required=False)
        challenge = self.fields.pop("challenge")
        token = self.fields.pop("challenge_token")
        self.fields.update(fields)
        self.fields["challenge"] = challenge
        self.fields["challenge_token"] = token
        for name in ("name", "phone", "challenge"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}
