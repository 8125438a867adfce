"""The public site: Wagtail pages under /portal/ (served from cache for anonymous visitors).
Wagtail builds page URLs by reversing "wagtail_serve", so the name is Wagtail's, not namespaced;
the two preference switches (large text, language) come first ("_" is no page's slug)."""

from django.urls import path, re_path

from tongban.portal import views_site

urlpatterns = [
    path("_/large-text/", views_site.large_text, name="portal_large_text"),
    path("_/language/", views_site.language, name="portal_language"),
    re_path(r"^((?:[\w\-]+/)*)$", views_site.serve, name="wagtail_serve"),
]
