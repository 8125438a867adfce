"""Forms of online interviews: the public question form (with the offline challenge) and the staff
forms (interview with guests, moderation, answers, posts, photos, summary)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.interaction.antispam import ChallengeFormMixin
from tongban.interaction.models import Interview, InterviewGuest
from tongban.orgs.models import Unit

GUEST_ROWS = 5


class QuestionForm(ChallengeFormMixin, forms.Form):
    nickname = forms.CharField(label=_("网友昵称"), max_length=32)
    content = forms.CharField(label=_("您的问题"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(
        label=_("联系电话（选填，不公开）"),
        max_length=20,
        required=False,
        help_text=_("便于会后答复时联系您，不会在网页上显示。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            if name != "challenge_token":
                f.widget.attrs.setdefault("class", "form-control")
        self.fields["challenge"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class InterviewForm(forms.Form):
    title = forms.CharField(label=_("访谈主题"), max_length=100)
    summary = forms.CharField(label=_("访谈简介"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    host_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=Unit.objects.none())
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("直播不超过 60 分钟；须至少提前 3 天发布预告。"),
    )

    def __init__(self, *args: Any, county: Any, interview: Interview | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["host_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")
        existing = list(interview.guests.all()) if interview else []
        self.guest_rows: list[dict[str, Any]] = []
        for i in range(max(GUEST_ROWS, len(existing) + 1)):
            g: InterviewGuest | None = existing[i] if i < len(existing) else None
            for key, label, max_len in (("name", _("嘉宾姓名"), 32), ("title", _("职务"), 100)):
                name = f"guest_{i}_{key}"
                self.fields[name] = forms.CharField(
                    label=label, max_length=max_len, required=False, initial=getattr(g, key, "")
                )
            self.fields[f"guest_{i}_user"] = forms.CharField(
                label=_("嘉宾账号（用户名，选填）"),
                max_length=150,
                required=False,
                initial=(g.user.username if g and g.user else ""),
            )
            self.fields[f"guest_{i}_id"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=g.pk if g else None
            )
            self.guest_rows.append({k: self[f"guest_{i}_{k}"] for k in ("name", "title", "user", "id")})
        for name, f in self.fields.items():
            if not isinstance(f.widget, forms.HiddenInput):
                f.widget.attrs.setdefault("class", "form-select" if name == "host_unit" else "form-control")

    def guests(self) -> list[dict[str, Any]]:
        from tongban.identity.models import User

        out = []
        for i in range(len(self.guest_rows)):
            name = self.cleaned_data.get(f"guest_{i}_name", "").strip()
            title = self.cleaned_data.get(f"guest_{i}_title", "").strip()
            username = self.cleaned_data.get(f"guest_{i}_user", "").strip()
            if not (name or title or username):
                continue
            user = None
            if username:
                user = User.objects.filter(username=username, is_active=True).first()
                if user is None:
                    self.add_error(f"guest_{i}_user", _("没有这个用户名。"))
                    continue
            out.append(
                {"id": self.cleaned_data.get(f"guest_{i}_id"), "name": name, "title": title, "user": user}
            )
        return out


class AnswerForm(forms.Form):
    guest = forms.ModelChoiceField(label=_("回答嘉宾"), queryset=InterviewGuest.objects.none())
    answer = forms.CharField(label=_("回答"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, interview: Interview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guest_field = self.fields["guest"]
        assert isinstance(guest_field, forms.ModelChoiceField)
        guest_field.queryset = interview.guests.all()
        self.fields["guest"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["answer"].widget.attrs["class"] = "form-control"


class PostForm(forms.Form):
    speaker = forms.CharField(label=_("发言人"), max_length=64, initial=_("主持人"))
    content = forms.CharField(label=_("内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("图片（JPG/PNG）"))
    caption = forms.CharField(label=_("图片说明"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class PublishForm(forms.Form):
    transcript_summary = forms.CharField(
        label=_("访谈综述"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )
