from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tongban.netmon import views

app_name = "netmon"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("sites/new/", views.site_edit, name="site_new"),
    path("sites/<int:site_id>/", views.site, name="site"),
    path("sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:site_id>/probes/new/", views.probe_edit, name="probe_new"),
    path("sites/<int:site_id>/probe-now/", views.probe_now, name="probe_now"),
    path("probes/<int:probe_id>/edit/", views.probe_edit, name="probe_edit"),
    path("probes/<int:probe_id>/delete/", views.probe_delete, name="probe_delete"),
]
