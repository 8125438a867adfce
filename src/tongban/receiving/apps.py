from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivingConfig(AppConfig):
    name = "tongban.receiving"
    label = "receiving"
    verbose_name = _("收文办理")

    def ready(self) -> None:
        pass
