from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "tongban.search"
    label = "search"
    verbose_name = _("全文检索")

    def ready(self) -> None:
        from tongban.core import nav
        from tongban.search import selectors

        nav.register(
            nav.NavItem(
                key="search",
                label=_("全文检索"),
                url_name="search:search",
                icon="bi-search",
                section=_("公文办理"),
                order=290,
                visible=selectors.can_search,
            )
        )
