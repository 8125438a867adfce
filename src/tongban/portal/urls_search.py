"""Site search of the portal (/portal/search/)."""

from django.urls import path  # noqa: F401

app_name = "portal_search"
urlpatterns: list = []
