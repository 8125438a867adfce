from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "stats_rollup"

urlpatterns: list[URLPattern | URLResolver] = []
