"""Portal administration: the website health check and error reports (/portal-admin/health/)."""

from django.urls import URLPattern, path

from tongban.portal import views_health

app_name = "portal_health"
urlpatterns: list[URLPattern] = [
    path("", views_health.index, name="index"),
    path("errors/", views_health.error_list, name="errors"),
    path("errors/<int:pk>/", views_health.error_detail, name="error"),
]
