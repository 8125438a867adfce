from django.urls import URLPattern, URLResolver

app_name = "seals"
urlpatterns: list[URLPattern | URLResolver] = []
