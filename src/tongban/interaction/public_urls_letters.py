"""Public pages of the leader mailbox (/portal/letters/)."""

from django.urls import path

from tongban.interaction import views_letters_public as v

app_name = "letters_public"
urlpatterns = [
    path("", v.index, name="index"),
    path("write/", v.write, name="write"),
    path("written/", v.written, name="written"),
    path("lookup/", v.lookup, name="lookup"),
    path("track/<str:code>/", v.track, name="track"),
    path("track/<str:code>/rate/", v.rate, name="rate"),
    path("track/<str:code>/rehandle/", v.rehandle, name="rehandle"),
    path("mine/", v.mine, name="mine"),
    path("stats/", v.stats, name="stats"),
    path("<int:pk>/", v.detail, name="detail"),
]
