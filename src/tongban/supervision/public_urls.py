"""Public complaints (/ban/complaints/): file a complaint, look up its answer."""

from django.urls import URLPattern, URLResolver, path

from tongban.supervision import views_feedback as v

app_name = "complaints"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.public_new, name="new"),
    path("filed/", v.public_filed, name="filed"),
    path("lookup/", v.public_lookup, name="lookup"),
    path("mine/", v.public_mine, name="mine"),
]
