"""找错: visitors report an error on a page (/portal/jiucuo/)."""

from django.urls import URLPattern, path

from tongban.portal import views_errors

app_name = "portal_errors"
urlpatterns: list[URLPattern] = [
    path("", views_errors.new, name="new"),
    path("thanks/", views_errors.thanks, name="thanks"),
]
