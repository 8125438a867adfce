from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tongban.orgs"
    label = "orgs"
