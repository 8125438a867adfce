"""Staff pages of the service catalogue (事项管理), under /approvals/catalogue/ (namespace approvals)."""

from django.urls import URLPattern, URLResolver, path

from tongban.approvals import views_catalogue as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("catalogue/", v.catalogue_list, name="catalogue"),
    path("catalogue/new/", v.item_new, name="catalogue_new"),
    path("catalogue/<int:pk>/", v.item_detail, name="catalogue_item"),
    path("catalogue/<int:pk>/diff/", v.version_diff, name="catalogue_diff"),
    path("catalogue/<int:pk>/draft/", v.item_draft, name="catalogue_draft"),
    path("catalogue/<int:pk>/<str:action>/", v.item_action, name="catalogue_item_action"),
    path("catalogue/versions/<int:pk>/", v.version_detail, name="catalogue_version"),
    path("catalogue/versions/<int:pk>/edit/", v.version_edit, name="catalogue_edit"),
    path("catalogue/versions/<int:pk>/<str:action>/", v.version_action, name="catalogue_version_action"),
    path("catalogue/materials/<int:pk>/sample/", v.material_sample, name="catalogue_sample"),
]
