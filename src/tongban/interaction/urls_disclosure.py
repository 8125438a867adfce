"""Staff pages of requests for government information (/interaction/disclosure/)."""

from django.urls import path

from tongban.interaction import views_disclosure as v

app_name = "disclosure"
urlpatterns = [
    path("", v.index, name="index"),
    path("register/", v.register, name="register"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/do/<slug:name>/", v.action, name="action"),
    path("<int:pk>/files/<int:file_id>/", v.file, name="file"),
]
