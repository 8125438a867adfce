"""会议录像 and 会议纪要 of a meeting (mounted at /meetings/)."""

from django.urls import path

from tongban.meetings import views_records as views

app_name = "meetings_records"
urlpatterns = [
    path("<int:pk>/recordings/", views.recordings, name="recordings"),
    path("<int:pk>/recordings/files/<int:file_id>/", views.recording_file, name="recording_file"),
    path("<int:pk>/recordings/<int:rec_id>/delete/", views.recording_delete, name="recording_delete"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/draft/", views.minutes_draft, name="minutes_draft"),
    path("<int:pk>/minutes/to-documents/", views.minutes_to_documents, name="minutes_to_documents"),
    path("<int:pk>/minutes/pdf/", views.minutes_pdf, name="minutes_pdf"),
]
