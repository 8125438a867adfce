"""Staff pages of solicitations and surveys (/interaction/surveys/)."""

from django.urls import path

from tongban.interaction import views_surveys as views

app_name = "surveys"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/do/<slug:name>/", views.action, name="action"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
]
