"""Staff pages of the watch part (namespace ``supervision``, mounted at /supervision/)."""

from django.urls import URLPattern, URLResolver, path

from tongban.supervision import views_watch as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.dashboard, name="dashboard"),
    path("sweep/", v.sweep_run, name="sweep"),
    path("cases/", v.case_list, name="cases"),
    path("anomalies/", v.anomaly_list, name="anomalies"),
    path("anomalies/<int:pk>/close/", v.anomaly_close, name="anomaly_close"),
    path("rectifications/", v.rectification_list, name="rectifications"),
    path("rectifications/new/", v.rectification_new, name="rectification_new"),
    path("rectifications/<int:pk>/", v.rectification_detail, name="rectification"),
    path("rectifications/<int:pk>/reply/", v.rectification_reply, name="rectification_reply"),
    path("rectifications/<int:pk>/close/", v.rectification_close, name="rectification_close"),
    path("settings/", v.settings_view, name="settings"),
]
