from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tongban.api.urls")),
    path("account/", include("tongban.identity.urls")),
    path("org/", include("tongban.orgs.urls")),
    path("notifications/", include("tongban.notify.urls")),
    path("workflow/", include("tongban.workflow.urls")),
    path("search/", include("tongban.search.urls")),
    path("archive/", include("tongban.archive.urls")),
    path("seals/", include("tongban.seals.urls")),
    path("documents/", include("tongban.documents.urls")),
    path("incoming/", include("tongban.receiving.urls")),
    path("notices/", include("tongban.notices.urls")),
    path("approvals/", include("tongban.approvals.urls")),
    path("supervision/", include("tongban.supervision.urls")),
    # 网上办事大厅: the public side (citizens and enterprises; no staff login)
    path("ban/", include("tongban.approvals.public_urls")),
    path("ban/complaints/", include("tongban.supervision.public_urls")),
    path("", include("tongban.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
