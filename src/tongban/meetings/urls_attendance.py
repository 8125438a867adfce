from django.urls import URLPattern

app_name = "meetings_attendance"
urlpatterns: list[URLPattern] = []
