"""Built-in assignee rules (registered in ``WorkflowConfig.ready()``).

=================================  ==========================================================
``starter``                        the person who started the instance
``chosen``                         the user ids the previous step put in ``next_assignees``
``role:<role>``                    pooled to holders of ``<role>`` in the instance's unit, or in
                                   the unit named by case data ``unit_id`` when given
``user:<username>``                one named account
``data_user:<var>``                the user id (or list of ids) in case data ``<var>``
``data_unit_role:<var>:<role>``    multi-instance over the unit ids in ``<var>``: the child for
                                   one unit is pooled to that unit's ``<role>`` holders (会签)
=================================  ==========================================================
"""

from __future__ import annotations

from typing import Any

from tongban.core.errors import TongbanError
from tongban.workflow import registry
from tongban.workflow.registry import Assignee, RuleContext


def _users(ids: Any) -> list[Any]:
    from tongban.identity.models import User

    if ids in (None, "", []):
        return []
    if not isinstance(ids, (list, tuple)):
        ids = [ids]
    clean = []
    for v in ids:
        try:
            clean.append(int(v))
        except (TypeError, ValueError):
            continue
    by_id = {u.pk: u for u in User.objects.filter(pk__in=clean, is_active=True)}
    return [by_id[i] for i in dict.fromkeys(clean) if i in by_id]


def _unit(unit_id: Any, instance: Any) -> Any:
    from tongban.orgs.models import Unit

    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        return None
    return Unit.objects.filter(pk=pk, county_id=instance.county_id).first()


def starter(ctx: RuleContext) -> list[Assignee]:
    return [Assignee(user=ctx.instance.starter)]


def chosen(ctx: RuleContext) -> list[Assignee]:
    users = _users(ctx.data.get("next_assignees"))
    if not users:
        from django.utils.translation import gettext as _

        raise TongbanError(
            "workflow.choose_next",
            _("请选择“%(step)s”的办理人。") % {"step": ctx.step_name},
            field="next_assignees",
        )
    return [Assignee(user=u) for u in users]


def role(ctx: RuleContext) -> list[Assignee]:
    unit = None
    if ctx.data.get("unit_id"):
        unit = _unit(ctx.data["unit_id"], ctx.instance)
    if unit is None:
        unit = ctx.instance.starter_unit
    if unit is None or not ctx.arg:
        return []
    return [Assignee(unit=unit, role=ctx.arg)]


def user(ctx: RuleContext) -> list[Assignee]:
    from tongban.identity.models import User

    u = User.objects.filter(username=ctx.arg, is_active=True).first()
    return [Assignee(user=u)] if u is not None else []


def data_user(ctx: RuleContext) -> list[Assignee]:
    return [Assignee(user=u) for u in _users(ctx.data.get(ctx.arg))]


def data_unit_role(ctx: RuleContext) -> list[Assignee]:
    var, _sep, role_name = ctx.arg.partition(":")
    if ctx.mi_item is not None:
        unit_ids = [ctx.mi_item]
    else:
        value = ctx.data.get(var)
        unit_ids = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for uid in unit_ids:
        unit = _unit(uid, ctx.instance)
        if unit is not None and role_name:
            out.append(Assignee(unit=unit, role=role_name))
    return out


def register_builtins() -> None:
    registry.register_assignee_rule("starter", starter)
    registry.register_assignee_rule("chosen", chosen)
    registry.register_assignee_rule("role", role)
    registry.register_assignee_rule("user", user)
    registry.register_assignee_rule("data_user", data_user)
    registry.register_assignee_rule("data_unit_role", data_unit_role)
