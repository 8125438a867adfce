from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def _user_unit_name(request: HttpRequest) -> dict[str, Any]:
    """Top-bar context: the name of the user's primary unit (cached on the request)."""
    from tongban.orgs.selectors import user_primary_unit

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_tb_user_unit_name", None)
    if cached is None:
        unit = user_primary_unit(user)
        cached = unit.name if unit is not None else ""
        request._tb_user_unit_name = cached  # type: ignore[attr-defined]
    return {"user_unit_name": cached}


def _audit_unit_choices() -> list[tuple[int, str]]:
    from tongban.orgs.selectors import unit_choices

    return unit_choices()


def _home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Workbench panel: my posts, business roles and (for leaders) the units I am in charge of."""
    from tongban.orgs import selectors

    user = request.user
    return {
        "posts": list(selectors.posts_of(user)),
        "roles": list(selectors.roles_of(user)),
        "duties": list(selectors.duties_of(user)),
    }


def _actor_primary_unit_id(user_id: int) -> int | None:
    """The audit log files a record without a unit under the actor's primary unit."""
    from tongban.orgs.models import Post

    return Post.objects.filter(user_id=user_id, is_primary=True).values_list("unit_id", flat=True).first()


class OrgsConfig(AppConfig):
    name = "tongban.orgs"
    label = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from tongban.core import home, nav, shell

        home.register(
            home.HomePanel(key="orgs", template="orgs/_home_panel.html", context=_home_panel, order=20)
        )

        nav.register(
            nav.NavItem(
                key="addressbook",
                label=_("通讯录"),
                url_name="orgs:addressbook",
                icon="bi-journal-bookmark",
                section=_("常用"),
                order=410,
            )
        )
        nav.register(
            nav.NavItem(
                key="orgs_admin",
                label=_("组织机构"),
                url_name="orgs:unit_list",
                icon="bi-diagram-3",
                section=_("系统管理"),
                order=900,
                visible=lambda user: bool(user.is_authenticated and user.is_system_admin),
            )
        )
        nav.register(
            nav.NavItem(
                key="orgs_staff",
                label=_("人员管理"),
                url_name="orgs:staff_list",
                icon="bi-people",
                section=_("系统管理"),
                order=901,
                visible=lambda user: bool(user.is_authenticated and user.is_system_admin),
            )
        )
        nav.register(
            nav.NavItem(
                key="orgs_roles",
                label=_("业务角色"),
                url_name="orgs:roles",
                icon="bi-person-gear",
                section=_("系统管理"),
                order=910,
                visible=lambda user: bool(user.is_authenticated and user.is_security_admin),
            )
        )
        shell.register(_user_unit_name)
        from tongban.core import audit_units

        audit_units.register(_audit_unit_choices)
        audit_units.register_actor_unit(_actor_primary_unit_id)
