"""Forms of the editorial desks' staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.portal.models import ColumnPage


class PublishDocumentForm(forms.Form):
    """发布到信息公开: the target column (a policy column the actor may use)."""

    column = forms.TypedChoiceField(label=_("发布栏目"), coerce=int, choices=())

    def __init__(self, *args: Any, columns: list[ColumnPage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["column"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(c.pk, c.title) for c in columns]
        field.widget.attrs["class"] = "form-select form-select-sm"
