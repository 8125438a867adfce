"""Staff pages of solicitations and surveys (/interaction/surveys/)."""

from django.urls import path  # noqa: F401

app_name = "surveys"
urlpatterns: list = []
