from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tongban.stats import views_dash as v

app_name = "stats_dash"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.overview, name="overview"),
    path("snapshot/", v.snapshot_take, name="snapshot_take"),
    path("units/", v.units, name="units"),
    path("trends/", v.trends, name="trends"),
    path("screen/", v.screen, name="screen"),
    path("effect/", v.effect, name="effect"),
    path("effect/costs/", v.effect_costs, name="effect_costs"),
    path("feedback/", v.feedback_mine, name="feedback_mine"),
    path("feedback/new/", v.feedback_new, name="feedback_new"),
    path("feedback/manage/", v.feedback_manage, name="feedback_manage"),
    path("feedback/<int:pk>/answer/", v.feedback_answer, name="feedback_answer"),
    path("changelog/", v.changelog, name="changelog"),
    path("changelog/new/", v.changelog_edit, name="changelog_new"),
    path("changelog/<int:pk>/edit/", v.changelog_edit, name="changelog_edit"),
    path("changelog/<int:pk>/delete/", v.changelog_delete, name="changelog_delete"),
]
