from django.urls import URLPattern, URLResolver, path

from tongban.archive import views

app_name = "archive"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.archive_list, name="list"),
]
