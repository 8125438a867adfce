"""URLs of the usage assessment (mounted at /stats/): schemes, scorecards and the yearly report."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tongban.stats import views_assess as v

app_name = "stats_assess"

urlpatterns: list[URLPattern | URLResolver] = [
    path("schemes/", v.scheme_list, name="schemes"),
    path("schemes/new/", v.scheme_new, name="scheme_new"),
    path("schemes/<int:scheme_id>/", v.scheme_detail, name="scheme"),
    path("schemes/<int:scheme_id>/edit/", v.scheme_edit, name="scheme_edit"),
    path("schemes/<int:scheme_id>/delete/", v.scheme_delete, name="scheme_delete"),
    path("schemes/<int:scheme_id>/publish/", v.scheme_publish, name="scheme_publish"),
    path("schemes/<int:scheme_id>/retire/", v.scheme_retire, name="scheme_retire"),
    path("schemes/<int:scheme_id>/recompute/", v.scheme_recompute, name="scheme_recompute"),
    path("schemes/<int:scheme_id>/indicators/new/", v.indicator_new, name="indicator_new"),
    path("schemes/<int:scheme_id>/indicators/<int:indicator_id>/", v.indicator_edit, name="indicator_edit"),
    path(
        "schemes/<int:scheme_id>/indicators/<int:indicator_id>/delete/",
        v.indicator_delete,
        name="indicator_delete",
    ),
    path(
        "schemes/<int:scheme_id>/indicators/<int:indicator_id>/move/", v.indicator_move, name="indicator_move"
    ),
    path("scorecards/", v.scorecards, name="scorecards"),
    path("scorecards/export.xlsx", v.scorecards_export, name="scorecards_export"),
    path("scorecards/<int:scheme_id>/<str:period>/units/<int:unit_id>/", v.unit_card, name="unit"),
    path(
        "scorecards/<int:scheme_id>/<str:period>/units/<int:unit_id>/people/",
        v.unit_people,
        name="unit_people",
    ),
    path(
        "scorecards/<int:scheme_id>/<str:period>/units/<int:unit_id>/export.xlsx",
        v.unit_card_export,
        name="unit_export",
    ),
    path("report/<int:scheme_id>/<int:year>.pdf", v.report, name="report"),
]
