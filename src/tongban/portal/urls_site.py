"""The public site: Wagtail pages under /portal/ (served from cache for anonymous visitors).
Wagtail builds page URLs by reversing "wagtail_serve", so the name is Wagtail's, not namespaced."""

from django.urls import re_path

from tongban.portal import views_site

urlpatterns = [
    re_path(r"^((?:[\w\-]+/)*)$", views_site.serve, name="wagtail_serve"),
]
