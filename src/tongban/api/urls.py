from django.urls import path

from tongban.api.main import api

urlpatterns = [path("", api.urls)]
