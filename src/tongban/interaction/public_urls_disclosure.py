"""Public pages of requests for government information (/portal/disclosure-requests/)."""

from django.urls import path

from tongban.interaction import views_disclosure_public as v

app_name = "disclosure_public"
urlpatterns = [
    path("", v.index, name="index"),
    path("apply/", v.apply, name="apply"),
    path("applied/", v.applied, name="applied"),
    path("lookup/", v.lookup, name="lookup"),
    path("mine/", v.mine, name="mine"),
    path("r/<str:code>/", v.detail, name="detail"),
    path("r/<str:code>/supplement/", v.supplement, name="supplement"),
    path("r/<str:code>/withdraw/", v.withdraw, name="withdraw"),
    path("r/<str:code>/files/<int:file_id>/", v.file, name="file"),
]
