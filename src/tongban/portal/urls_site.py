"""The public site: Wagtail pages under /portal/ (served from cache for anonymous visitors).
Wagtail builds page URLs by reversing "wagtail_serve", so the name is Wagtail's, not namespaced;
the preference switches (large text, language) and Wagtail's restriction views come first
("_" is no page's slug)."""

from django.urls import path, re_path
from django.views.generic import RedirectView
from wagtail import views as wagtail_views

from tongban.portal import views_site

urlpatterns = [
    path("_/large-text/", views_site.large_text, name="portal_large_text"),
    path("_/language/", views_site.language, name="portal_language"),
    # Wagtail's view restrictions: the password form posts here, and Wagtail reverses
    # "wagtailcore_login" even when WAGTAIL_FRONTEND_LOGIN_URL is set (the staff login).
    path(
        "_/password/<int:page_view_restriction_id>/<int:page_id>/",
        wagtail_views.authenticate_with_password,
        name="wagtailcore_authenticate_with_password",
    ),
    path(
        "_/login/",
        RedirectView.as_view(pattern_name="identity:login", query_string=True),
        name="wagtailcore_login",
    ),
    re_path(r"^((?:[\w\-]+/)*)$", views_site.serve, name="wagtail_serve"),
]
