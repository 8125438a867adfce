from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "tongban.search"
    label = "search"
    verbose_name = _("全文检索")

    def ready(self) -> None:
        pass
