"""找错: visitors report an error on a page (/portal/jiucuo/)."""

from django.urls import path  # noqa: F401

app_name = "portal_errors"
urlpatterns: list = []
