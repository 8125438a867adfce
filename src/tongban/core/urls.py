from django.urls import path

from tongban.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("large-text/", views.large_text, name="large_text"),
]
