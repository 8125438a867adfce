"""Portal administration: units' editors and reviewers, documents to publish (/portal-admin/desks/)."""

from django.urls import path  # noqa: F401

app_name = "portal_desks"
urlpatterns: list = []
