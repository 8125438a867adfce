"""Public pages of online interviews (/portal/interviews/)."""

from django.urls import path  # noqa: F401

app_name = "interviews_public"
urlpatterns: list = []
