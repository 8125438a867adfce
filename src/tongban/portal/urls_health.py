"""Portal administration: the website health check and error reports (/portal-admin/health/)."""

from django.urls import path  # noqa: F401

app_name = "portal_health"
urlpatterns: list = []
