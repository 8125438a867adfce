from django.urls import URLPattern, URLResolver, path

from tongban.notices import views

app_name = "notices"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_edit, name="new"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/edit/", views.notice_edit, name="edit"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/confirm/", views.notice_confirm, name="confirm"),
    path("<int:pk>/status/", views.notice_status, name="status"),
    path("<int:pk>/remind/", views.notice_remind, name="remind"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.notice_delete, name="delete"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/delete/", views.attachment_delete, name="attachment_delete"
    ),
]
