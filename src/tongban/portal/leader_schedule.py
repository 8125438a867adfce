"""领导周活动安排 on the portal: a week of the county leaders' public entries, published by the
county's schedule clerk (领导日程管理员) from the leaders' schedules (:mod:`tongban.meetings`).

:func:`publish_week` freezes the week's public entries (never internal or private ones) into the
week's :class:`~tongban.meetings.models.SchedulePublication` and publishes them as one article in
the 县领导 column (``xld`` of :mod:`tongban.portal.structure`), titled 县领导周活动安排（…）. Publishing
the same week again updates that article (a new revision), it never adds a second one. Each leader's
profile page (:class:`~tongban.portal.models.LeaderProfilePage`) shows the leader's row of the latest
published week (:func:`leader_week`, through ``portal/_leader_week.html``), matched by name.

The meetings module may not import the portal; :func:`register` hands :func:`publish_week` to it
(called from :mod:`tongban.portal.setup_leader_schedule`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _

from tongban.core import audit, clock
from tongban.core.errors import TongbanError
from tongban.meetings import schedules
from tongban.meetings import schedules_selectors as ssel
from tongban.meetings.models import SchedulePublication
from tongban.orgs.models import County
from tongban.portal import cache
from tongban.portal.models import ArticlePage, ColumnPage, DisclosureCategory, HomePage

LEADER_COLUMN_SLUG = "xld"  # structure.CHANNELS: 政务公开 → 县领导
LEADER_COLUMN_TITLE = "县领导"


def leader_column(county: County) -> ColumnPage:
    """The 县领导 column of the county's site; TongbanError when the site or the column is missing."""
    home = HomePage.objects.filter(county=county).first()
    if home is None:
        raise TongbanError("schedules.no_site", _("本县的门户网站尚未建立，无法发布领导周活动安排。"))
    columns = ColumnPage.objects.descendant_of(home)
    column = (
        columns.filter(slug=LEADER_COLUMN_SLUG).first() or columns.filter(title=LEADER_COLUMN_TITLE).first()
    )
    if column is None:
        raise TongbanError(
            "schedules.no_leader_column",
            _("门户网站没有“县领导”栏目，无法发布领导周活动安排，请联系网站管理员。"),
        )
    return column


def page_title(county: County, week_start: date) -> str:
    return _("县领导周活动安排（%(week)s）") % {"week": ssel.week_label(week_start)}


def _item_args(item: dict[str, Any]) -> tuple[str, str, str]:
    when = _("（续）") if item.get("continued") else (item.get("time") or "")
    if item.get("evening") and when:
        when = _("晚上%(time)s") % {"time": when}
    place = _("（%(place)s）") % {"place": item["place"]} if item.get("place") else ""
    return when, item.get("title", ""), place


def table_html(table: dict[str, Any]) -> str:
    """The frozen week as an HTML table (every text escaped): a row per leader, a column per day,
    上午 and 下午 inside each day's cell."""
    head = format_html_join(
        "",
        '<th scope="col">{}<br><small>{}</small></th>',
        ((d["label"], date.fromisoformat(d["date"]).strftime("%m-%d")) for d in table["days"]),
    )
    rows = []
    for row in table["rows"]:
        cells = []
        for cell in row["cells"]:
            parts = []
            for key, label in ((ssel.AM, _("上午")), (ssel.PM, _("下午"))):
                items = cell.get(key, [])
                if items:
                    parts.append(
                        format_html(
                            "<p><strong>{}</strong></p><ul>{}</ul>",
                            label,
                            format_html_join("", "<li>{} {}{}</li>", (_item_args(i) for i in items)),
                        )
                    )
            cells.append("<td>" + ("".join(str(p) for p in parts) or "—") + "</td>")
        rows.append(
            str(format_html('<tr><th scope="row">{}<br><small>{}</small></th>', row["name"], row["title"]))
            + "".join(cells)
            + "</tr>"
        )
    caption = escape(table["title"])
    leader_head = escape(_("领导"))
    return (
        f'<table class="table table-bordered pt-leader-week"><caption>{caption}</caption>'
        f'<thead><tr><th scope="col">{leader_head}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def body_html(table: dict[str, Any]) -> str:
    intro = escape(
        _("以下为%(county)s县领导%(week)s的公开活动安排，如有变动以实际为准。")
        % {"county": table["county"], "week": ssel.week_label(date.fromisoformat(table["week_start"]))}
    )
    return f"<p>{intro}</p>{table_html(table)}"


@transaction.atomic
def publish_week(county: County, week_start: date, actor: Any) -> SchedulePublication:
    """Freeze and publish ``county``'s week of public entries (see the module's docstring).
    Only a schedule clerk of the county; nothing is changed when refused."""
    schedules.require_publish(actor, county)
    week_start = ssel.monday_of(week_start)
    column = leader_column(county)
    table = ssel.county_week(county, week_start, public_only=True)
    now = clock.now()
    pub = SchedulePublication.objects.select_for_update().filter(county=county, week_start=week_start).first()
    old = {"portal_page_id": pub.portal_page_id, "entries": ssel.entry_count(pub.table)} if pub else None
    if pub is None:
        pub = SchedulePublication(county=county, week_start=week_start)
    pub.table = table
    pub.published_by = actor
    pub.published_at = now
    title = page_title(county, week_start)[:255]
    body = body_html(table)
    page = None
    if pub.portal_page_id:
        page = ArticlePage.objects.filter(pk=pub.portal_page_id).first()
    slug = f"ldzap-{week_start:%Y%m%d}"
    if page is None:
        page = ArticlePage.objects.child_of(column).filter(slug=slug).first()
    summary = _("%(week)s县领导公开活动安排。") % {"week": ssel.week_label(week_start)}
    if page is None:
        page = ArticlePage(
            title=title,
            slug=slug,
            body=body,
            summary=summary[:300],
            publish_date=now,
            source=(column.unit.name if column.unit else county.name)[:100],
            unit=column.unit,
            disclosure_category=DisclosureCategory.ORGANISATION,
            live=False,
        )
        column.add_child(instance=page)
    else:
        page.title = title
        page.body = body
        page.summary = summary[:300]
        page.publish_date = now
    # The schedule clerk is authorised by the schedules' rule (require_publish above), not by a
    # Wagtail page permission on the 县领导 column: the publication is the platform's own action.
    page.save_revision(user=actor, log_action=True).publish(user=actor, skip_permission_checks=True)
    pub.portal_page_id = page.pk
    pub.save()
    audit.record(
        "schedules.week_published",
        actor=actor,
        obj=pub,
        old=old,
        new={
            "portal_page_id": page.pk,
            "week_start": week_start.isoformat(),
            "entries": ssel.entry_count(table),
        },
    )
    transaction.on_commit(lambda: cache.invalidate("leader schedule published"))
    return pub


def register() -> None:
    schedules.register_publisher(publish_week)


# --- the leader's page ---------------------------------------------------------------------------


@dataclass
class LeaderWeekLine:
    day: str
    date: date
    slot: str
    time: str
    title: str
    place: str


@dataclass
class LeaderWeek:
    heading: str
    week: str
    lines: list[LeaderWeekLine]
    article_url: str


def latest_publication(county_id: int) -> SchedulePublication | None:
    """The latest published week that has begun (a week published in advance waits for its Monday)."""
    monday = ssel.monday_of(clock.today())
    return (
        SchedulePublication.objects.filter(county_id=county_id, week_start__lte=monday)
        .order_by("-week_start")
        .first()
    )


def leader_week(page: Any) -> LeaderWeek | None:
    """The public entries of the leader of ``page`` (a LeaderProfilePage, matched by name) in the
    latest published week; None when the county has published no week yet."""
    home = page.county_home() if hasattr(page, "county_home") else None
    if home is None:
        return None
    pub = latest_publication(home.county_id)
    if pub is None:
        return None
    table = pub.table or {}
    row = next((r for r in table.get("rows", []) if r.get("name") == page.name), None)
    lines: list[LeaderWeekLine] = []
    for i, cell in enumerate(row.get("cells", []) if row else []):
        day = pub.week_start + timedelta(days=i)
        label = str(ssel.WEEKDAYS[i])
        for key in (ssel.AM, ssel.PM):
            for item in cell.get(key, []):
                slot = ssel.SLOT_LABELS[ssel.EVENING if item.get("evening") else key]
                lines.append(
                    LeaderWeekLine(
                        day=label,
                        date=day,
                        slot=str(slot),
                        time=_("续") if item.get("continued") else item.get("time", ""),
                        title=item.get("title", ""),
                        place=item.get("place", ""),
                    )
                )
    this_week = pub.week_start == ssel.monday_of(clock.today())
    article = ArticlePage.objects.live().filter(pk=pub.portal_page_id).first() if pub.portal_page_id else None
    return LeaderWeek(
        heading=_("本周活动") if this_week else _("近期活动"),
        week=ssel.week_label(pub.week_start),
        lines=lines,
        article_url=article.url if article is not None else "",
    )
