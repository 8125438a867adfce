"""The public 办事指南 under /ban/ (namespace ban)."""

from django.urls import URLPattern, URLResolver, path

from tongban.approvals import views_guide as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("items/<str:code>/", v.item, name="item"),
    path("items/<str:code>/materials/<int:pk>/sample/", v.sample, name="sample"),
]
