"""``{% load workflow_tags %}{% workflow_actions item %}``: the generic operations on the current
user's item (return, transfer, withdraw, add signer, cc, urge, mark read) for domain pages.
The POST views redirect back to the page (``next``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("workflow/_item_actions.html", takes_context=True)
def workflow_actions(
    context: Any, item: Any, next_url: str = "", show_complete: bool = False
) -> dict[str, Any]:
    from tongban.workflow.views import action_context

    request = context.get("request")
    user = getattr(request, "user", None)
    if item is None or user is None:
        return {"wf_item": None}
    ctx = action_context(item, user, next_url or (request.get_full_path() if request else ""))
    ctx["wf_show_complete"] = show_complete
    ctx["csrf_token"] = context.get("csrf_token")
    return ctx


@register.simple_tag
def workflow_subject_url(item: Any) -> str:
    from tongban.workflow import registry

    return registry.subject_url(item.subject_type, item.subject_id)
