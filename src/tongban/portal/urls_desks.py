"""Portal administration: units' editors and reviewers, documents to publish (/portal-admin/desks/)."""

from django.urls import path

from tongban.portal import views_desks

app_name = "portal_desks"
urlpatterns = [
    path("", views_desks.index, name="index"),
    path("<int:unit_id>/", views_desks.desk_detail, name="detail"),
    path("documents/", views_desks.documents, name="documents"),
    path("documents/<int:document_id>/publish/", views_desks.document_publish, name="document_publish"),
]
