"""Portal administration: annual disclosure reports (/portal-admin/disclosure/)."""

from django.urls import path  # noqa: F401

app_name = "portal_disclosure"
urlpatterns: list = []
