from django.urls import URLPattern

app_name = "meetings_video"
urlpatterns: list[URLPattern] = []
