from django.urls import URLPattern

app_name = "meetings_records"
urlpatterns: list[URLPattern] = []
