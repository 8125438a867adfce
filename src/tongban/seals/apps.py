from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _security_admin(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_authenticated and getattr(user, "admin_role", "") == "security")


class SealsConfig(AppConfig):
    name = "tongban.seals"
    label = "seals"
    verbose_name = _("电子印章")

    def ready(self) -> None:
        from tongban.core import demo, nav
        from tongban.seals import demo as seals_demo

        nav.register(
            nav.NavItem(
                key="seals.manage",
                label=_("电子印章管理"),
                url_name="seals:manage",
                icon="bi-patch-check",
                section=_("系统管理"),
                order=915,
                visible=_security_admin,
            )
        )
        demo.register("seals", seals_demo.seed_seals, order=40)
