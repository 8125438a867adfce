"""Pages of the leaders' schedules (/schedules/)."""

from django.urls import path

from tongban.meetings import views_schedules as v

app_name = "schedules"
urlpatterns = [
    path("", v.index, name="index"),
    path("leader/<int:user_id>/", v.leader, name="leader"),
    path("leader/<int:user_id>/entries/new/", v.entry_new, name="entry_new"),
    path("entries/<int:pk>/edit/", v.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", v.entry_delete, name="entry_delete"),
    path("county/", v.county, name="county"),
    path("county/publish/", v.publish, name="publish"),
]
