from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tongban.library import views

app_name = "library"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.publish, name="publish"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request_refuse"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/versions/<int:number>/download/", views.download, name="download_version"),
    path("<int:pk>/request/", views.request_new, name="request"),
    path("<int:pk>/downloads/", views.download_log, name="downloads"),
]
