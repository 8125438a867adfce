from django.urls import URLPattern, URLResolver, path

from tongban.documents import views

app_name = "documents"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.document_list, name="list"),
    path("new/", views.document_new, name="new"),
    path("series/", views.series_list, name="series"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/toggle/", views.series_toggle, name="series_toggle"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/step/<int:item_id>/", views.document_step, name="step"),
    path("<int:pk>/import/", views.document_import_docx, name="import_docx"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:att_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:att_id>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/versions/", views.version_compare, name="versions"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/docx/", views.document_docx, name="docx"),
    path("<int:pk>/sealed.pdf", views.document_sealed, name="sealed"),
    path("<int:pk>/withdraw/", views.document_withdraw, name="withdraw"),
    path("<int:pk>/archive/", views.document_archive, name="archive"),
]
