"""Staff pages of case handling (namespace ``approvals``): the boxes, the case page and its
actions, access-checked downloads, and the counter (窗口代办)."""

from django.urls import URLPattern, URLResolver, path

from tongban.approvals import views_handling as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", v.case_list, name="cases"),
    path("cases/<int:pk>/", v.case_detail, name="case"),
    path("cases/<int:pk>/act/<slug:action>/", v.case_action, name="case_action"),
    path("cases/<int:pk>/extensions/<int:ext_id>/", v.extension_decide, name="case_extension_decide"),
    path("cases/<int:pk>/materials/<int:mid>/", v.material_download, name="case_material"),
    path("cases/<int:pk>/notices/<int:nid>/pdf/", v.notice_download, name="case_notice_pdf"),
    path("cases/<int:pk>/certificate/", v.certificate_download, name="case_certificate"),
    path("counter/", v.counter, name="counter"),
]
