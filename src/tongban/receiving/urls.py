from django.urls import URLPattern, URLResolver

app_name = "receiving"
urlpatterns: list[URLPattern | URLResolver] = []
