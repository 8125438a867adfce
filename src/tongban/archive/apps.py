from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "tongban.archive"
    label = "archive"
    verbose_name = _("档案")

    def ready(self) -> None:
        from tongban.archive import selectors
        from tongban.core import nav

        nav.register(
            nav.NavItem(
                key="archive",
                label=_("档案查询"),
                url_name="archive:list",
                icon="bi-archive",
                section=_("公文办理"),
                order=280,
                visible=selectors.can_use_archive,
            )
        )
