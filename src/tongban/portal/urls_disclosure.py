"""Portal administration: annual disclosure reports (/portal-admin/disclosure/)."""

from django.urls import path

from tongban.portal import views_disclosure as views

app_name = "portal_disclosure"
urlpatterns = [
    path("", views.index, name="index"),
]
