"""Public complaints (/ban/complaints/): file a complaint, look up its answer."""

from django.urls import URLPattern, URLResolver

app_name = "complaints"
urlpatterns: list[URLPattern | URLResolver] = []
