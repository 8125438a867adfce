from django.urls import path

from tongban.meetings import views_scheduling as v

app_name = "meetings"
urlpatterns = [
    path("", v.index, name="index"),
    path("new/", v.create, name="create"),
    path("venues/", v.venues, name="venues"),
    path("venues/<int:venue_id>/", v.venue_edit, name="venue_edit"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/edit/", v.edit, name="edit"),
    path("<int:pk>/notify/", v.notify, name="notify"),
    path("<int:pk>/cancel/", v.cancel, name="cancel"),
    path("<int:pk>/confirm/<int:invitation_pk>/", v.confirm, name="confirm"),
    path("<int:pk>/confirmations/", v.confirmations, name="confirmations"),
    path("<int:pk>/materials/", v.material_upload, name="material_upload"),
    path("<int:pk>/materials/<int:material_id>/", v.material, name="material"),
    path("<int:pk>/materials/<int:material_id>/delete/", v.material_delete, name="material_delete"),
]
