"""找错 (error reports): a visitor reports an error on a page of the site; the portal
administrators of the county correct it or reject the report, with a note (rules.md §6: every
page carries a 找错 entry; 政府网站发展指引 (国办发〔2017〕47号) 网站纠错).

Services: ``report_error`` (public, rate-limited per address, the challenge is checked by the
form or the API), ``handle_report`` (portal administrators; audited). Reads:
``reports_for`` / ``access_report``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import audit, clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.interaction.antispam import rate_limit
from tongban.orgs.models import BusinessRole, County, RoleGrant
from tongban.portal.models import ErrorReport

KINDS: tuple[tuple[str, Any], ...] = (
    ("typo", gettext_lazy("错别字")),
    ("link", gettext_lazy("链接错误")),
    ("outdated", gettext_lazy("内容过时")),
    ("unreachable", gettext_lazy("无法访问")),
    ("other", gettext_lazy("其他")),
)
KIND_LABELS = dict(KINDS)
MAX_DESCRIPTION = 1000
MAX_CONTACT = 100
MAX_URL = 500
RATE_LIMIT = 5  # reports per address and hour
RATE_WINDOW = 3600


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def clean_page_url(value: str) -> str:
    """The reported page: a path on this site ("/…", not "//…" nor "/\\…") or an http(s) address;
    anything else (javascript:, data: …) is refused."""
    url = (value or "").strip()
    if not url:
        raise TongbanError("portal.error_url_required", _("请填写出错页面的地址。"), field="page_url")
    if len(url) > MAX_URL:
        raise TongbanError("portal.error_url_long", _("页面地址不能超过 500 个字符。"), field="page_url")
    # browsers read "/\host" as "//host": a backslash is no part of a site path
    if "\\" in url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise TongbanError("portal.error_url_invalid", _("页面地址不正确。"), field="page_url")
    lower = url.lower()
    if (url.startswith("/") and not url.startswith("//")) or lower.startswith(("http://", "https://")):
        return url
    raise TongbanError("portal.error_url_invalid", _("页面地址不正确。"), field="page_url")


@transaction.atomic
def report_error(
    *,
    county: County,
    page_url: str,
    kind: str,
    description: str,
    contact: str = "",
    request: HttpRequest | None = None,
) -> ErrorReport:
    """Record a visitor's report and tell the county's portal administrators. Bad input is
    refused with a message and nothing is stored; the 6th report within an hour from one address
    is refused (``interaction.rate_limited``)."""
    url = clean_page_url(page_url)
    if kind not in KIND_LABELS:
        raise TongbanError("portal.error_kind", _("请选择错误类型。"), field="kind")
    text = (description or "").strip()
    if not text:
        raise TongbanError("portal.error_description_required", _("请描述发现的问题。"), field="description")
    if len(text) > MAX_DESCRIPTION:
        raise TongbanError(
            "portal.error_description_long", _("问题描述不能超过 1000 个字。"), field="description"
        )
    who = (contact or "").strip()
    if len(who) > MAX_CONTACT:
        raise TongbanError("portal.error_contact_long", _("联系方式不能超过 100 个字符。"), field="contact")
    rate_limit(request, "portal.error_report", limit=RATE_LIMIT, window=RATE_WINDOW)
    report = ErrorReport.objects.create(county=county, page_url=url, kind=kind, description=text, contact=who)
    from tongban.notify.services import notify

    admins = [
        g.user
        for g in RoleGrant.objects.filter(
            county=county, role=BusinessRole.PORTAL_ADMIN, user__is_active=True
        ).select_related("user")
    ]
    notify(
        users=admins,
        event="portal.error_reported",
        title=_("网站纠错：%(kind)s") % {"kind": kind_label(kind)},
        body=text[:200],
        url=reverse("portal_health:error", args=[report.pk]),
        dedupe_key=f"error_report:{report.pk}",
    )
    return report


def _admin_county_ids(user: Any) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    return set(
        RoleGrant.objects.filter(user=user, role=BusinessRole.PORTAL_ADMIN, unit__is_active=True).values_list(
            "county_id", flat=True
        )
    )


def can_handle(user: Any) -> bool:
    return bool(_admin_county_ids(user))


def reports_for(user: Any, *, status: str = "") -> QuerySet[ErrorReport]:
    """The reports of the counties where ``user`` is a portal administrator, newest first."""
    counties = _admin_county_ids(user)
    if not counties:
        raise PermissionDenied("portal.errors_forbidden", _("只有网站管理员可以处理网站纠错。"))
    qs = ErrorReport.objects.filter(county_id__in=counties).select_related("handled_by")
    if status in ErrorReport.Status.values:
        qs = qs.filter(status=status)
    return qs


def access_report(user: Any, pk: int) -> ErrorReport:
    report = reports_for(user).filter(pk=pk).first()
    if report is None:
        raise NotFound("portal.error_not_found", _("没有找到这条纠错。"))
    return report


@transaction.atomic
def handle_report(
    *, user: Any, pk: int, status: str, reply: str, request: HttpRequest | None = None
) -> ErrorReport:
    """Mark a new report fixed (已更正) or rejected (不属实) with a note. A report is handled once."""
    report = access_report(user, pk)
    report = ErrorReport.objects.select_for_update().get(pk=report.pk)
    if status not in (ErrorReport.Status.FIXED, ErrorReport.Status.REJECTED):
        raise TongbanError("portal.error_status", _("请选择处理结果。"), field="status")
    note = (reply or "").strip()
    if not note:
        raise TongbanError("portal.error_reply_required", _("请填写处理说明。"), field="reply")
    if len(note) > MAX_DESCRIPTION:
        raise TongbanError("portal.error_reply_long", _("处理说明不能超过 1000 个字。"), field="reply")
    if report.status != ErrorReport.Status.NEW:
        raise TongbanError("portal.error_handled", _("这条纠错已经处理过了。"))
    old = report.status
    report.status = status
    report.reply = note
    report.handled_by = user
    report.handled_at = clock.now()
    report.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    audit.record(
        "portal.error_report.handled",
        actor=user,
        request=request,
        obj=report,
        old={"status": old},
        new={"status": status},
        message=note[:200],
    )
    return report


def new_count(user: Any) -> int:
    counties = _admin_county_ids(user)
    if not counties:
        return 0
    return ErrorReport.objects.filter(county_id__in=counties, status=ErrorReport.Status.NEW).count()
