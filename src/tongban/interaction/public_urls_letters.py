"""Public pages of the leader mailbox (/portal/letters/)."""

from django.urls import path  # noqa: F401

app_name = "letters_public"
urlpatterns: list = []
