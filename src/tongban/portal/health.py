"""The website health check: what the inspection of government websites would fail, computed
from the live site (rules.md §6; 国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》 单项否决指标
and 扣分指标).

Rules (code — what fails; "due" is the last day within the limit, a column is stale from the
day after):

=================  ==========================================================================
``home_stale``     首页栏目不更新: the newest dated live content page of the site is more than
                   14 days old → fail.
``news_stale``     动态要闻类栏目 not updated for more than 2 weeks (or the column's own limit):
                   each listed; ≥ 5 such columns → fail, fewer → warn.
``notice_stale``   通知公告类栏目 not updated for 6 months (183 days, or the column's limit) → fail.
``policy_stale``   政策文件类栏目 not updated for 6 months (183 days, or the column's limit) → fail.
``stale_total``    栏目不更新 in total (news, notice, policy) ≥ 10 → fail.
``blank``          空白栏目: a column (link columns excluded) with no live content page at all:
                   each listed; ≥ 5 → fail, fewer → warn.
``letters``        互动回应差: a valid letter unanswered for more than 3 months (90 days) → fail.
``broken_links``   链接错误: rich text of a live page linking to a page that is not live or does
                   not exist, a document or image that no longer exists, or a ``/portal/…``
                   address that is no live page → fail, listed with the source page.
``undated``        a content page without a publish date: counted as not updated (it never
                   makes its column fresh) and listed (warn).
=================  ==========================================================================

Content pages are those a column holds (articles, policy documents, leader profiles, department
pages, procurement notices, investment projects, annual reports); a column's last update is the
newest publish date among the live content pages anywhere below it (sub-columns included).

Reminders (``send_reminders``; the daily job ``portal.health_reminders`` at 07:30): the owners of
a column (its unit's 网站编辑 and 网站审核; the portal administrators for a column without a
unit) are told 3 days before a news column's limit and 14 days before a notice or policy
column's limit, and once when the limit is passed; each reminder once per (column, stage, due
date) (:class:`~tongban.portal.models.HealthReminder`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Page

from tongban.core import clock
from tongban.core.errors import PermissionDenied
from tongban.orgs.models import BusinessRole, RoleGrant, Unit
from tongban.portal.models import (
    AnnualReportPage,
    ArticlePage,
    ColumnKind,
    ColumnPage,
    DepartmentPage,
    DisclosureGuidePage,
    HealthReminder,
    HomePage,
    InvestmentProjectPage,
    LeaderProfilePage,
    PolicyDocumentPage,
    ProcurementNoticePage,
    TopicPage,
)

FAIL, WARN, PASS = "fail", "warn", "pass"
HOME_LIMIT_DAYS = 14
NEWS_FAIL_COUNT = 5
STALE_TOTAL_FAIL_COUNT = 10
BLANK_FAIL_COUNT = 5
LETTER_LIMIT_DAYS = 90
REMIND_BEFORE_DAYS: dict[str, int] = {ColumnKind.NEWS: 3, ColumnKind.NOTICE: 14, ColumnKind.POLICY: 14}
STALE_RULE: dict[str, str] = {
    ColumnKind.NEWS: "news_stale",
    ColumnKind.NOTICE: "notice_stale",
    ColumnKind.POLICY: "policy_stale",
}
OWNER_ROLES = (BusinessRole.PORTAL_EDITOR, BusinessRole.PORTAL_REVIEWER)

# The pages a column holds (each has publish_date).
CONTENT_MODELS: tuple[type[Page], ...] = (
    ArticlePage,
    PolicyDocumentPage,
    LeaderProfilePage,
    DepartmentPage,
    ProcurementNoticePage,
    InvestmentProjectPage,
    AnnualReportPage,
)
# Pages whose rich text is checked for broken links.
LINKED_MODELS: tuple[type[Page], ...] = (*CONTENT_MODELS, DisclosureGuidePage, TopicPage)


@dataclass(frozen=True)
class Rule:
    code: str
    label: Any
    basis: Any


RULES: tuple[Rule, ...] = (
    Rule("home_stale", gettext_lazy("首页栏目更新"), gettext_lazy("首页栏目信息超过 2 周未更新，单项否决。")),
    Rule(
        "news_stale",
        gettext_lazy("动态要闻类栏目更新"),
        gettext_lazy("动态、要闻类栏目超过 2 周未更新的栏目数量达到 5 个，单项否决；不足 5 个扣分。"),
    ),
    Rule(
        "notice_stale",
        gettext_lazy("通知公告类栏目更新"),
        gettext_lazy("通知公告类栏目超过 6 个月未更新，单项否决。"),
    ),
    Rule(
        "policy_stale",
        gettext_lazy("政策文件类栏目更新"),
        gettext_lazy("政策文件类栏目超过 6 个月未更新，单项否决。"),
    ),
    Rule(
        "stale_total",
        gettext_lazy("栏目不更新累计"),
        gettext_lazy("应更新但长期未更新的栏目数量达到 10 个，单项否决。"),
    ),
    Rule(
        "blank",
        gettext_lazy("空白栏目"),
        gettext_lazy("栏目无任何内容的空白栏目数量达到 5 个，单项否决；不足 5 个扣分。"),
    ),
    Rule("letters", gettext_lazy("互动回应"), gettext_lazy("收到的有效留言超过 3 个月未回复，单项否决。")),
    Rule(
        "broken_links",
        gettext_lazy("链接可用性"),
        gettext_lazy("网站内的链接（页面、文件、图片）无法访问，扣分。"),
    ),
    Rule("undated", gettext_lazy("信息发布日期"), gettext_lazy("页面没有发布日期，视为未更新。")),
)
RULE_LABELS: dict[str, Any] = {r.code: r.label for r in RULES}


@dataclass
class Finding:
    rule: str
    severity: str  # "fail" | "warn"
    message: str
    column_id: int | None = None
    column_title: str = ""
    page_id: int | None = None
    page_title: str = ""
    unit_id: int | None = None  # the owner: the column's (or the page's) unit
    unit_name: str = ""
    due_on: dt.date | None = None  # the last day within the limit (passed: stale since the next day)
    admin_only: bool = False  # only the portal administrators see it (not a column owner's)
    link: str = ""  # broken links: the target as written
    letter_code: str = ""

    @property
    def edit_url(self) -> str:
        target = self.page_id or self.column_id
        if not target:
            return ""
        try:
            return reverse("wagtailadmin_pages:edit", args=[target])
        except NoReverseMatch:  # pragma: no cover - the admin is always mounted
            return ""

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS.get(self.rule, self.rule))


@dataclass
class ColumnState:
    column: ColumnPage
    limit_days: int | None
    last_update: dt.date | None = None  # newest dated live content page below it
    has_content: bool = False

    @property
    def due_on(self) -> dt.date | None:
        if self.limit_days is None or self.last_update is None:
            return None
        return self.last_update + dt.timedelta(days=self.limit_days)

    def is_stale(self, today: dt.date) -> bool:
        """Past its limit; a column whose content has no date at all counts as not updated."""
        if self.limit_days is None or not self.has_content:
            return False
        due = self.due_on
        return due is None or today > due


@dataclass
class RuleSummary:
    rule: Rule
    status: str  # pass | warn | fail
    count: int


@dataclass
class Report:
    home: HomePage
    today: dt.date
    findings: list[Finding] = field(default_factory=list)
    newest: dt.date | None = None

    def summary(self) -> list[RuleSummary]:
        out = []
        for rule in RULES:
            mine = [f for f in self.findings if f.rule == rule.code]
            status = FAIL if any(f.severity == FAIL for f in mine) else WARN if mine else PASS
            out.append(RuleSummary(rule=rule, status=status, count=len(mine)))
        return out

    @property
    def passed(self) -> bool:
        return not any(f.severity == FAIL for f in self.findings)


def _date(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _is_link_column(c: ColumnPage) -> bool:
    return c.kind == ColumnKind.LINK or bool(c.link_url)


def column_states(home: HomePage) -> tuple[dict[str, ColumnState], list[tuple[Page, str]]]:
    """Each live non-link column's state (by path), and the live content pages without a date
    (with the path of their page)."""
    columns = list(ColumnPage.objects.descendant_of(home).live().order_by("path"))
    states = {
        c.path: ColumnState(column=c, limit_days=c.limit_days()) for c in columns if not _is_link_column(c)
    }
    undated: list[tuple[Page, str]] = []
    for model in CONTENT_MODELS:
        rows = model.objects.descendant_of(home).live().values_list("pk", "path", "title", "publish_date")
        for pk, path, title, published in rows:
            day = _date(published)
            if day is None:
                undated.append((Page(pk=pk, path=path, title=title), path))
            p = path[:-4]
            while len(p) > len(home.path):
                st = states.get(p)
                if st is not None:
                    st.has_content = True
                    if day is not None and (st.last_update is None or day > st.last_update):
                        st.last_update = day
                p = p[:-4]
    return states, undated


def _nearest_column(path: str, states: dict[str, ColumnState]) -> ColumnState | None:
    p = path[:-4]
    while p:
        if p in states:
            return states[p]
        p = p[:-4]
    return None


def findings(home: HomePage, today: dt.date | None = None) -> list[Finding]:
    """Every finding of the inspection rules on ``home``'s site on ``today`` (default: today)."""
    return report(home, today).findings


def report(home: HomePage, today: dt.date | None = None) -> Report:
    today = today or clock.today()
    rep = Report(home=home, today=today)
    states, undated = column_states(home)
    units = dict(Unit.objects.filter(county_id=home.county_id).values_list("pk", "short_name"))

    def col_fields(st: ColumnState | None) -> dict[str, Any]:
        if st is None:
            return {}
        uid = st.column.unit_id
        return {
            "column_id": st.column.pk,
            "column_title": st.column.title,
            "unit_id": uid,
            "unit_name": units.get(uid, "") if uid else "",
        }

    out = rep.findings
    # 首页: the newest dated content page anywhere on the site
    newest = max((s.last_update for s in states.values() if s.last_update), default=None)
    rep.newest = newest
    if newest is None or (today - newest).days > HOME_LIMIT_DAYS:
        due = newest + dt.timedelta(days=HOME_LIMIT_DAYS) if newest else None
        out.append(
            Finding(
                "home_stale",
                FAIL,
                _("全站最新信息发布于 %(date)s，已超过 %(days)s 天未更新。")
                % {"date": newest.isoformat(), "days": HOME_LIMIT_DAYS}
                if newest
                else _("全站没有带发布日期的信息。"),
                due_on=due,
                admin_only=True,
            )
        )
    # columns past their limit
    stale = [s for s in states.values() if s.column.kind in STALE_RULE and s.is_stale(today)]
    news_stale = [s for s in stale if s.column.kind == ColumnKind.NEWS]
    for s in stale:
        rule = STALE_RULE[s.column.kind]
        severity = FAIL if rule != "news_stale" or len(news_stale) >= NEWS_FAIL_COUNT else WARN
        if s.last_update is None:
            message = _("栏目内的信息都没有发布日期，视为未更新。")
        else:
            message = _("最近更新 %(last)s，已 %(idle)s 天未更新（期限 %(limit)s 天）。") % {
                "last": s.last_update.isoformat(),
                "idle": (today - s.last_update).days,
                "limit": s.limit_days,
            }
        out.append(Finding(rule, severity, message, due_on=s.due_on, **col_fields(s)))
    if len(stale) >= STALE_TOTAL_FAIL_COUNT:
        out.append(
            Finding(
                "stale_total",
                FAIL,
                _("共有 %(n)s 个栏目超过更新期限未更新。") % {"n": len(stale)},
                admin_only=True,
            )
        )
    # blank columns: nothing at all (sub-columns' content counts)
    blank = [s for s in states.values() if not s.has_content]
    for s in blank:
        out.append(
            Finding(
                "blank",
                FAIL if len(blank) >= BLANK_FAIL_COUNT else WARN,
                _("栏目没有任何已发布的信息。"),
                **col_fields(s),
            )
        )
    out += _letter_findings(home, today)
    out += _broken_links(home, states, col_fields)
    for page, path in undated:
        out.append(
            Finding(
                "undated",
                WARN,
                _("页面没有发布日期。"),
                page_id=page.pk,
                page_title=page.title,
                **col_fields(_nearest_column(path, states)),
            )
        )
    return rep


def _letter_findings(home: HomePage, today: dt.date) -> list[Finding]:
    from tongban.interaction import letters_selectors

    # overdue_unanswered counts from the platform's today; shift it when asked about another day
    older = LETTER_LIMIT_DAYS + (clock.today() - today).days
    if older < 0:
        return []
    out = []
    for letter in letters_selectors.overdue_unanswered(home.county, older_than_days=older):
        unit = letter.routed_to
        out.append(
            Finding(
                "letters",
                FAIL,
                _("来信“%(title)s”（%(code)s）%(received)s 受理，超过 3 个月未答复。")
                % {
                    "title": letter.title,
                    "code": letter.tracking_code,
                    "received": letter.received_on.isoformat(),
                },
                due_on=letter.received_on + dt.timedelta(days=LETTER_LIMIT_DAYS),
                unit_id=unit.pk if unit else None,
                unit_name=(unit.short_name or unit.name) if unit else "",
                admin_only=True,
                letter_code=letter.tracking_code,
            )
        )
    return out


_TAG = re.compile(r"<(a|embed)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')


def links_of(html: str) -> list[tuple[str, str]]:
    """The internal references in Wagtail's rich-text storage format: ("page", id),
    ("document", id), ("image", id) and ("path", "/portal/…") for plain hrefs on this site."""
    out: list[tuple[str, str]] = []
    for tag, attrs_text in _TAG.findall(html or ""):
        attrs = dict(_ATTR.findall(attrs_text))
        if tag.lower() == "a":
            linktype = attrs.get("linktype", "")
            if linktype in ("page", "document") and attrs.get("id", "").isdigit():
                out.append((linktype, attrs["id"]))
            elif not linktype and attrs.get("href", "").startswith("/portal/"):
                out.append(("path", attrs["href"]))
        elif attrs.get("embedtype") == "image" and attrs.get("id", "").isdigit():
            out.append(("image", attrs["id"]))
    return out


def _path_target(home: HomePage, href: str) -> str | None:
    """For a /portal/ href: the url_path of the Wagtail page it names, "" when it is another view
    of the site (search, letters …), None when nothing answers it."""
    path = urlsplit(href).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name != "wagtail_serve":
        return ""
    rest = path[len("/portal/") :]
    if rest and not rest.endswith("/"):
        rest += "/"
    return home.url_path + rest


def _broken_links(home: HomePage, states: dict[str, ColumnState], col_fields: Any) -> list[Finding]:
    refs: list[tuple[Page, str, str, str]] = []  # (source, kind, value, target url_path)
    for model in LINKED_MODELS:
        rich = [f.name for f in model._meta.get_fields() if isinstance(f, RichTextField)]
        if not rich:
            continue
        rows = model.objects.descendant_of(home).live().values_list("pk", "path", "title", *rich)
        for pk, path, title, *texts in rows:
            for text in texts:
                for kind, value in links_of(text):
                    target = _path_target(home, value) if kind == "path" else ""
                    if target is None:
                        refs.append((Page(pk=pk, path=path, title=title), kind, value, "!"))
                    elif kind != "path" or target:
                        refs.append((Page(pk=pk, path=path, title=title), kind, value, target))
    if not refs:
        return []
    page_ids = {int(v) for _s, k, v, _t in refs if k == "page"}
    live_pages = set(Page.objects.filter(pk__in=page_ids, live=True).values_list("pk", flat=True))
    doc_ids = {int(v) for _s, k, v, _t in refs if k == "document"}
    docs = set(get_document_model().objects.filter(pk__in=doc_ids).values_list("pk", flat=True))
    image_ids = {int(v) for _s, k, v, _t in refs if k == "image"}
    images = set(get_image_model().objects.filter(pk__in=image_ids).values_list("pk", flat=True))
    paths = {t for _s, k, _v, t in refs if k == "path" and t != "!"}
    live_paths = set(Page.objects.filter(url_path__in=paths, live=True).values_list("url_path", flat=True))
    labels = {"page": _("页面"), "document": _("文件"), "image": _("图片"), "path": _("链接")}
    out = []
    for source, kind, value, target in refs:
        ok = (
            (kind == "page" and int(value) in live_pages)
            or (kind == "document" and int(value) in docs)
            or (kind == "image" and int(value) in images)
            or (kind == "path" and target in live_paths)
        )
        if ok:
            continue
        shown = value if kind == "path" else f"{labels[kind]} #{value}"
        out.append(
            Finding(
                "broken_links",
                FAIL,
                _("“%(page)s”中的%(kind)s %(target)s 无法访问。")
                % {"page": source.title, "kind": labels[kind], "target": shown},
                page_id=source.pk,
                page_title=source.title,
                link=value,
                **col_fields(_nearest_column(source.path, states)),
            )
        )
    return out


# --- who sees what -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    home: HomePage
    is_admin: bool
    unit_ids: frozenset[int]

    def visible(self, finding: Finding) -> bool:
        if self.is_admin:
            return True
        return not finding.admin_only and finding.unit_id in self.unit_ids


def can_view(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return RoleGrant.objects.filter(
        user=user, role__in=(BusinessRole.PORTAL_ADMIN, *OWNER_ROLES), unit__is_active=True
    ).exists()


def access_health(user: Any) -> Scope:
    """The findings ``user`` may see: a portal administrator every finding of the county's site;
    a unit's 网站编辑 / 网站审核 those of the unit's columns. Anyone else is refused."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        raise PermissionDenied("portal.health_forbidden", _("请先登录。"))
    grants = list(
        RoleGrant.objects.filter(
            user=user, role__in=(BusinessRole.PORTAL_ADMIN, *OWNER_ROLES), unit__is_active=True
        ).values_list("role", "unit_id", "county_id")
    )
    if not grants:
        raise PermissionDenied(
            "portal.health_forbidden", _("只有网站管理员和栏目维护单位的编辑、审核人员可以查看网站检查结果。")
        )
    county_id = grants[0][2]
    home = HomePage.objects.filter(county_id=county_id).first()
    if home is None:
        raise PermissionDenied("portal.no_site", _("本县尚未建立门户网站。"))
    return Scope(
        home=home,
        is_admin=any(r == BusinessRole.PORTAL_ADMIN and c == county_id for r, _u, c in grants),
        unit_ids=frozenset(u for r, u, c in grants if r in OWNER_ROLES and c == county_id),
    )


def report_for(user: Any, today: dt.date | None = None) -> tuple[Scope, Report]:
    scope = access_health(user)
    rep = report(scope.home, today)
    rep.findings = [f for f in rep.findings if scope.visible(f)]
    return scope, rep


# --- reminders ---------------------------------------------------------------------------------
def _owners(county_id: int, unit_id: int | None) -> list[Any]:
    grants = RoleGrant.objects.filter(county_id=county_id, user__is_active=True).select_related("user")
    users = []
    if unit_id is not None:
        users = [g.user for g in grants.filter(unit_id=unit_id, role__in=OWNER_ROLES)]
    if not users:
        users = [g.user for g in grants.filter(role=BusinessRole.PORTAL_ADMIN)]
    return users


def due_reminders(home: HomePage, today: dt.date) -> list[tuple[ColumnState, str, dt.date]]:
    """(column, stage rule, due date) of the reminders due today: "<rule>:before" from
    3 (news) or 14 (notice, policy) days before the due date up to it, "<rule>:hit" once it is
    passed. Columns without a dated page have nothing to count from and are left out."""
    states, _undated = column_states(home)
    out = []
    for st in states.values():
        kind = st.column.kind
        if kind not in STALE_RULE or st.due_on is None:
            continue
        due = st.due_on
        rule = STALE_RULE[kind]
        if today > due:
            out.append((st, f"{rule}:hit", due))
        elif today >= due - dt.timedelta(days=REMIND_BEFORE_DAYS[kind]):
            out.append((st, f"{rule}:before", due))
    return out


def send_reminders(today: dt.date | None = None) -> int:
    """Tell column owners about limits coming up or passed, each reminder once. Returns the
    number of reminders sent (columns, not people)."""
    from tongban.notify.services import notify

    today = today or clock.today()
    sent = 0
    url = reverse("portal_health:index")
    for home in HomePage.objects.all():
        for st, stage, due in due_reminders(home, today):
            col = st.column
            if HealthReminder.objects.filter(column=col, rule=stage, limit_on=due).exists():
                continue
            try:
                with transaction.atomic():
                    HealthReminder.objects.create(column=col, rule=stage, limit_on=due)
                    if stage.endswith(":hit"):
                        title = _("栏目“%(column)s”已超过更新期限") % {"column": col.title}
                        body = _(
                            "栏目“%(column)s”最近更新于 %(last)s，已于 %(due)s 到达 %(limit)s 天的更新期限，请尽快更新。"
                        ) % {
                            "column": col.title,
                            "last": st.last_update.isoformat() if st.last_update else "",
                            "due": due.isoformat(),
                            "limit": st.limit_days,
                        }
                    else:
                        title = _("栏目“%(column)s”将于 %(due)s 到达更新期限") % {
                            "column": col.title,
                            "due": due.isoformat(),
                        }
                        body = _(
                            "栏目“%(column)s”最近更新于 %(last)s，更新期限为 %(limit)s 天，请在 %(due)s 前更新。"
                        ) % {
                            "column": col.title,
                            "last": st.last_update.isoformat() if st.last_update else "",
                            "due": due.isoformat(),
                            "limit": st.limit_days,
                        }
                    notify(
                        users=_owners(home.county_id, col.unit_id),
                        event="portal.health_reminder",
                        title=title,
                        body=body,
                        url=url,
                        dedupe_key=f"health:{col.pk}:{stage}:{due.isoformat()}",
                    )
                    sent += 1
            except IntegrityError:  # already sent (another run got there first)
                continue
    return sent


@task()
def notify_owners() -> int:
    """Daily (07:30): the inspection reminders to column owners."""
    return send_reminders()
