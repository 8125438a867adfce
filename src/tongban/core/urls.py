from django.urls import path

from tongban.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("large-text/", views.large_text, name="large_text"),
    path("healthz", views.healthz, name="healthz"),
    path("system/status/", views.system_status, name="system_status"),
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/overrides/", views.calendar_override_set, name="calendar_override_set"),
    path("calendar/overrides/remove/", views.calendar_override_remove, name="calendar_override_remove"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
