from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tongban.stats import views_rollup

app_name = "stats_rollup"

urlpatterns: list[URLPattern | URLResolver] = [
    path("rollup/", views_rollup.status, name="status"),
    path("rollup/progress/", views_rollup.progress, name="progress"),
    path("rollup/recompute/", views_rollup.recompute, name="recompute"),
]
