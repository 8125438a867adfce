"""Public pages of solicitations and surveys (/portal/surveys/)."""

from django.urls import path

from tongban.interaction import views_surveys_public as views

app_name = "surveys_public"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/results/", views.results, name="results"),
]
