from django.conf import settings
from django.conf.urls.static import static
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve as serve_file
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

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
    # 政民互动 (staff side)
    path("interaction/letters/", include("tongban.interaction.urls_letters")),
    path("interaction/disclosure/", include("tongban.interaction.urls_disclosure")),
    path("interaction/interviews/", include("tongban.interaction.urls_interviews")),
    path("interaction/surveys/", include("tongban.interaction.urls_surveys")),
    # 会议 (meetings, attendance, video, recordings and minutes) and the leaders' schedules (日程)
    path("meetings/", include("tongban.meetings.urls_scheduling")),
    path("meetings/", include("tongban.meetings.urls_attendance")),
    path("meetings/", include("tongban.meetings.urls_video")),
    path("meetings/", include("tongban.meetings.urls_records")),
    path("schedules/", include("tongban.meetings.urls_schedules")),
    # 考核统计 (usage assessment, dashboards, feedback), 共享资源库, 网络监测, 数据交换 (open API clients)
    path("stats/", include("tongban.stats.urls_rollup")),
    path("stats/", include("tongban.stats.urls_assess")),
    path("stats/", include("tongban.stats.urls_dash")),
    path("library/", include("tongban.library.urls")),
    path("netmon/", include("tongban.netmon.urls")),
    path("exchange/", include("tongban.exchange.urls")),
    # 门户网站: administration, the Wagtail editing interface, the public site
    path("portal-admin/desks/", include("tongban.portal.urls_desks")),
    path("portal-admin/health/", include("tongban.portal.urls_health")),
    path("portal-admin/disclosure/", include("tongban.portal.urls_disclosure")),
    path("cms/", include(wagtailadmin_urls)),
    path("cms-documents/", include(wagtaildocs_urls)),
    path("portal/search/", include("tongban.portal.urls_search")),
    path("portal/jiucuo/", include("tongban.portal.urls_errors")),
    path("portal/letters/", include("tongban.interaction.public_urls_letters")),
    path("portal/disclosure-requests/", include("tongban.interaction.public_urls_disclosure")),
    path("portal/interviews/", include("tongban.interaction.public_urls_interviews")),
    path("portal/surveys/", include("tongban.interaction.public_urls_surveys")),
    path("portal/", include("tongban.portal.urls_site")),
    path("", include("tongban.core.urls")),
]
# Public media: the portal's images (Wagtail originals and renditions), interview photos and the
# drafts put out for comment. Everything else under MEDIA_ROOT (letters' and requests' attachments,
# documents, certificates) is served only by views that check access. In production nginx serves
# these folders itself (docs/operations.md); here they work in the embedded shape too.
PUBLIC_MEDIA = "|".join(settings.TONGBAN_PUBLIC_MEDIA_DIRS)


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    return serve_file(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns.insert(
    0, re_path(rf"^media/(?P<path>(?:{PUBLIC_MEDIA})/(?!.*\.\.).+)$", public_media, name="public_media")
)
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
