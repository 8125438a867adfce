from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tongban.notify"
    label = "notify"
