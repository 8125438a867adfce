"""Staff pages of the leader and department mailboxes (/interaction/letters/)."""

from django.urls import path  # noqa: F401

app_name = "letters"
urlpatterns: list = []
