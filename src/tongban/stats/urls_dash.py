from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "stats_dash"

urlpatterns: list[URLPattern | URLResolver] = []
