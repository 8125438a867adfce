from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from tongban.core import checks, nav  # noqa: F401

        nav.register(nav.NavItem(key="home", label=_("工作台"), url_name="core:home", icon="🏠", order=0))
