"""Public pages of requests for government information (/portal/disclosure-requests/)."""

from django.urls import path  # noqa: F401

app_name = "disclosure_public"
urlpatterns: list = []
