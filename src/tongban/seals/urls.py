from django.urls import URLPattern, URLResolver, path

from tongban.seals import views

app_name = "seals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.verify, name="verify"),
    path("manage/", views.manage, name="manage"),
]
