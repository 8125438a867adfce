from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tongban.api.urls")),
    path("account/", include("tongban.identity.urls")),
    path("org/", include("tongban.orgs.urls")),
    path("notifications/", include("tongban.notify.urls")),
    path("", include("tongban.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
