"""The video meeting pages: the meeting room and a venue terminal's big screen."""

from django.urls import path

from tongban.meetings import views_video as v

app_name = "meetings_video"
urlpatterns = [
    path("<int:pk>/live/", v.live, name="live"),
    path("terminal/", v.terminal, name="terminal"),
]
