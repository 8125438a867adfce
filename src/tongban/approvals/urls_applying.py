"""The applicant's pages of the public hall (namespace ``ban``, mounted at /ban/)."""

from django.urls import URLPattern, URLResolver, path

from tongban.approvals import views_applying as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", v.login_view, name="login"),
    path("logout/", v.logout_view, name="logout"),
    path("register/", v.register_view, name="register"),
    path("password/reset/", v.password_reset_view, name="password_reset"),
    path("password/", v.password_change_view, name="password_change"),
    path("lookup/", v.lookup_view, name="lookup"),
    path("apply/<str:code>/", v.apply_view, name="apply"),
    path("my/", v.my_cases_view, name="my_cases"),
    path("my/<str:tracking_no>/", v.my_case_view, name="my_case"),
    path("my/<str:tracking_no>/submitted/", v.applied_view, name="applied"),
    path("my/<str:tracking_no>/supplement/", v.supplement_view, name="supplement"),
    path("my/<str:tracking_no>/withdraw/", v.withdraw_view, name="withdraw"),
    path("my/<str:tracking_no>/rate/", v.rate_view, name="rate"),
    path("my/<str:tracking_no>/notices/<int:notice_id>.pdf", v.notice_pdf_view, name="notice_pdf"),
    path("my/<str:tracking_no>/certificate.pdf", v.certificate_view, name="certificate"),
    path("my/<str:tracking_no>/materials/<int:material_id>/", v.material_view, name="material"),
]
