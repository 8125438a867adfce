from django.urls import URLPattern, URLResolver, path

from tongban.receiving import views

app_name = "receiving"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.incoming_list, name="list"),
    path("new/", views.incoming_new, name="new"),
    path("<int:pk>/", views.incoming_detail, name="detail"),
    path("<int:pk>/sign/", views.incoming_sign, name="sign"),
    path("<int:pk>/step/<slug:step>/", views.incoming_step, name="step"),
    path("<int:pk>/circulate/", views.incoming_circulate, name="circulate"),
    path("<int:pk>/read/", views.incoming_read, name="read"),
    path("<int:pk>/source.pdf", views.incoming_source_pdf, name="source_pdf"),
    path("<int:pk>/file/", views.incoming_file, name="file"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.incoming_attachment, name="attachment"),
    path("<int:pk>/slip.pdf", views.incoming_slip, name="slip"),
    path("sent/<int:document_id>/", views.distribution, name="distribution"),
]
