"""Site search of the portal (/portal/search/)."""

from django.urls import URLPattern, path

from tongban.portal import views_search

app_name = "portal_search"
urlpatterns: list[URLPattern] = [
    path("", views_search.search_page, name="search"),
]
