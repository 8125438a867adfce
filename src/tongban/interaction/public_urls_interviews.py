"""Public pages of online interviews (/portal/interviews/)."""

from django.urls import path

from tongban.interaction import views_interviews_public as views

app_name = "interviews_public"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/live/", views.live_fragment, name="live_fragment"),
    path("<int:pk>/ask/", views.ask, name="ask"),
]
