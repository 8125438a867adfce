"""The demo county's portal: the site's structure (``structure.ensure_site``) filled with two years of
believable content up to today — ≥ 500 articles in every non-link column, policy documents with
文号 and their 解读, the county leaders, a department page for every active unit (部门导航),
人事任免, procurement notices (公告 and 结果 pairs), investment projects, monthly statistics, a
专题 (优化营商环境) and ~10 headlines with pictures drawn locally (:mod:`tongban.portal.demo_images`).

Deliberate findings for the website health page (国办秘函〔2019〕19号 inspection rules): the news
column of 人社局 under 部门动态 (``bm-8``) was last updated more than two weeks ago, and 政务办公
(``zwbg``) is left blank.

Speed: pages are inserted with their tree path computed here (no ``add_child`` per page, which
reads the parent and its last child each time) and ONE revision each, created in bulk; they are
live with ``first_published_at``/``last_published_at`` set and remain editable in the Wagtail
admin. Idempotent: every page has a deterministic slug within its column and a page whose slug
exists is not created again.

Registered in :mod:`tongban.portal.setup_demo` with ``core.demo.register("portal.site", seed, order=400)``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from modelsearch.backends import get_search_backends
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Revision

from tongban.core import clock
from tongban.core.demo import DemoContext
from tongban.orgs import demo as orgs_demo
from tongban.orgs.models import County, LeaderDuty, Post, Unit, UnitKind
from tongban.portal import demo_images
from tongban.portal import demo_text as T
from tongban.portal.models import (
    ArticlePage,
    ColumnKind,
    ColumnPage,
    DepartmentPage,
    DisclosureCategory,
    HomePage,
    InvestmentProjectPage,
    LeaderProfilePage,
    PageAttachment,
    PolicyDocumentPage,
    ProcurementNoticePage,
    RelatedPage,
    TopicPage,
)
from tongban.portal.structure import ensure_site

SEED = 20260501
DAYS = 730  # two years of content up to today
STALE_COLUMN = "bm-8"  # a news column last updated > 2 weeks ago (health finding)
BLANK_COLUMN = "zwbg"  # a column left blank (health finding)
OWN_ELSEWHERE = ("ndbg",)  # the annual reports are made by the annual-report demo (order 420)
TOPIC_SLUG = "yshj"
DOC_COLLECTION = "门户附件"

# articles per column (slug -> count); 部门动态 sub-columns get BUMEN_EACH each
ARTICLE_COUNTS = {
    "yaowen": 92,
    "xiangzhen": 60,
    "tongzhi": 40,
    "tupian": 40,
    "ldjh": 20,
    "dctb": 12,
    "wmbs": 26,
    "rsrm": 15,
    "tjxx": 24,
    "jiaoyu": 18,
    "yiliao": 16,
    "shebao": 16,
    "jiaotong": 14,
    "wenlv": 18,
    "bianmin": 10,
}
BUMEN_EACH = 20
TOPIC_ARTICLES = 10
HEADLINES = 10
POLICY_COUNTS = {"xwwj": 12, "zfwj": 24, "czzj": 10, "yjya": 8}
INTERPRETED = 14  # of the 政府文件, the ones with a 解读 in 政策解读
PROCUREMENT_PROJECTS = 12
INVESTMENT_PROJECTS = 10
ATTACHED_POLICIES = 6

POLICY_ORGANS = {
    # column -> (issuing organ, 文号 prefix, owning unit short name)
    "xwwj": ("中共青山县委员会", "青发", "县委办"),
    "zfwj": ("青山县人民政府", "青政发", "政府办"),
    "czzj": ("青山县财政局", "青财预", "财政局"),
    "yjya": ("青山县人民政府办公室", "青政办发", "应急管理局"),
}
SOURCES = {
    "yaowen": "青山县融媒体中心",
    "tupian": "青山县融媒体中心",
    "xiangzhen": "青山县人民政府办公室",
    "ldjh": "青山县人民政府办公室",
}


@dataclass
class _Slot:
    parent: Page
    last: int  # the number of the parent's last child in the tree (treebeard step)
    added: int = 0


@dataclass
class Builder:
    """Inserts pages under their parents quickly; revisions and parents' child counts at the end."""

    county: County
    home: HomePage
    today: dt.date
    images: list[Image]
    units: dict[str, Unit]
    locale_id: int
    created: list[Page] = field(default_factory=list)
    slots: dict[str, _Slot] = field(default_factory=dict)  # by the parent's tree path
    existing: dict[str, set[str]] = field(default_factory=dict)
    pending: list[Page] = field(default_factory=list)
    attachments_collection: Any = None  # the Wagtail collection 门户附件
    children: list[PageAttachment | RelatedPage] = field(default_factory=list)

    # --- tree -----------------------------------------------------------------------------------

    def _slot(self, parent: Page) -> _Slot:
        slot = self.slots.get(parent.path)
        if slot is None:
            last = parent.get_last_child()
            number = Page._str2int(last.path[-Page.steplen :]) if last is not None else 0
            slot = self.slots[parent.path] = _Slot(parent=parent, last=number)
        return slot

    def has(self, parent: Page, slug: str) -> bool:
        slugs = self.existing.get(parent.path)
        if slugs is None:
            slugs = self.existing[parent.path] = set(Page.objects.filter(
                path__startswith=parent.path, depth=parent.depth + 1
            ).values_list("slug", flat=True))  # fmt: skip
        return slug in slugs

    def add(
        self,
        parent: Page,
        page: Page,
        when: dt.datetime,
        *,
        attachments: Sequence[PageAttachment] = (),
        related: Sequence[RelatedPage] = (),
    ) -> Page:
        """Insert ``page`` as the last child of ``parent``, live and published at ``when``."""
        slot = self._slot(parent)
        slot.last += 1
        slot.added += 1
        page.depth = parent.depth + 1
        page.path = Page._get_path(parent.path, page.depth, slot.last)
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale_id = self.locale_id
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = when
        page.latest_revision_created_at = when
        page.content_type = ContentType.objects.get_for_model(page)
        # Page.save would read the parent again, validate every field and index the page one by one
        # (search and reference index, ~30 queries a page). Here the rows wait in ``pending`` and
        # flush() writes them in bulk; finish() indexes in bulk.
        self.pending.append(page)
        for i, child in enumerate(attachments):
            child.page, child.sort_order = page, i
            self.children.append(child)
        for i, child in enumerate(related):
            child.page, child.sort_order = page, i
            self.children.append(child)
        # in memory for the revision's content (serializable_data reads the child relations)
        page.attachments = list(attachments)
        page.related = list(related)
        page.wagtail_admin_comments = []
        self.existing.setdefault(parent.path, set()).add(page.slug)
        return page

    def flush(self) -> None:
        """Write the pending pages: the wagtailcore_page rows in one bulk insert, then each model's
        own rows (multi-table inheritance: bulk_create refuses the subclasses, so their local
        columns go through the same insert bulk_create uses). Foreign keys to pages created in the
        same run (a policy's 解读) are resolved once the pages have their ids."""
        if not self.pending:
            return
        fields = Page._meta.concrete_fields
        bases = [Page(**{f.attname: getattr(page, f.attname) for f in fields}) for page in self.pending]
        Page.objects.bulk_create(bases, batch_size=200)
        by_model: dict[type[Page], list[Page]] = {}
        for page, base in zip(self.pending, bases, strict=True):
            page.id = page.page_ptr_id = base.pk
            page._state.adding = False
            by_model.setdefault(type(page), []).append(page)
        for model, pages in by_model.items():
            local = [f for f in model._meta.local_concrete_fields]
            for page in pages:
                page._prepare_related_fields_for_save(operation_name="bulk_create")
            for start in range(0, len(pages), 200):
                model._base_manager._insert(pages[start : start + 200], fields=local, using="default")
        self.created.extend(self.pending)
        self.pending = []

    def finish(self) -> None:
        """The child rows, one revision per created page (the admin edits from it), the parents'
        child counts and Wagtail's search index (the admin's page search)."""
        self.flush()
        for model in (PageAttachment, RelatedPage):
            rows = [c for c in self.children if isinstance(c, model)]
            if rows:
                model.objects.bulk_create(rows, batch_size=500)
        if self.created:
            base = ContentType.objects.get_for_model(Page)
            revisions = [
                Revision(
                    content_type_id=page.content_type_id,
                    base_content_type=base,
                    object_id=str(page.pk),
                    created_at=page.last_published_at,
                    object_str=page.title[:255],
                    content=page.serializable_data(),
                )
                for page in self.created
            ]
            Revision.objects.bulk_create(revisions, batch_size=200)
            rows = [
                Page(pk=page.pk, latest_revision_id=revision.pk, live_revision_id=revision.pk)
                for page, revision in zip(self.created, revisions, strict=True)
            ]
            Page.objects.bulk_update(rows, ["latest_revision", "live_revision"], batch_size=200)
        for slot in self.slots.values():
            if slot.added:
                Page.objects.filter(pk=slot.parent.pk).update(
                    numchild=Page.objects.filter(
                        path__startswith=slot.parent.path, depth=slot.parent.depth + 1
                    ).count()
                )
        by_model: dict[type[Page], list[Page]] = {}
        for page in self.created:
            by_model.setdefault(type(page), []).append(page)
        for backend in get_search_backends(with_auto_update=True):
            for model, pages in by_model.items():
                backend.add_bulk(model, pages)

    # --- helpers --------------------------------------------------------------------------------

    def unit(self, short_name: str) -> Unit | None:
        return self.units.get(short_name)

    def at(self, days_ago: int, rnd: random.Random) -> dt.datetime:
        day = self.today - dt.timedelta(days=days_ago)
        moment = dt.datetime.combine(day, dt.time(rnd.randint(8, 17), rnd.choice((0, 10, 20, 30, 40, 50))))
        return timezone.make_aware(moment)

    def image(self, rnd: random.Random) -> Image:
        return self.images[rnd.randrange(len(self.images))]


def spread(rnd: random.Random, count: int, *, newest: int = 0, oldest: int = DAYS) -> list[int]:
    """``count`` distinct days-ago values between ``newest`` and ``oldest``, newest first; the first
    is within three days of ``newest`` so the column looks maintained."""
    if count <= 0:
        return []
    first = newest + rnd.randint(0, 3)
    span = list(range(first + 1, oldest))
    rest = sorted(rnd.sample(span, min(count - 1, len(span))))
    return [first, *rest]


def html(paragraphs: Iterable[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- articles ------------------------------------------------------------------------------------


def _article_title(column: str, rnd: random.Random, unit_name: str, when: dt.date, **fixed: str) -> str:
    if column == "tjxx":
        month = (when.replace(day=1) - dt.timedelta(days=1)).month
        year = (when.replace(day=1) - dt.timedelta(days=1)).year
        return f"{year}年1—{month}月青山县主要经济指标" if month > 1 else f"{year}年1月青山县主要经济指标"
    if column == "rsrm":
        name = _person(rnd)
        return T.fill(T.pick(rnd, T.TITLES["rsrm"]), rnd, name=name)
    templates = T.TITLES.get(column) or T.TITLES["bumen"]
    return T.fill(T.pick(rnd, templates), rnd, unit=unit_name, year=str(when.year), **fixed)


def _person(rnd: random.Random) -> str:
    surname = orgs_demo.SURNAMES[rnd.randrange(60)]
    given = orgs_demo.GIVEN[rnd.randrange(len(orgs_demo.GIVEN) - 1)]
    return (
        surname + given + (orgs_demo.GIVEN[rnd.randrange(len(orgs_demo.GIVEN))] if rnd.random() < 0.7 else "")
    )


def _stats_body(rnd: random.Random, when: dt.date) -> str:
    rows = [
        ("地区生产总值", "亿元"),
        ("规模以上工业增加值", "亿元"),
        ("固定资产投资", "亿元"),
        ("社会消费品零售总额", "亿元"),
        ("一般公共预算收入", "亿元"),
        ("城镇居民人均可支配收入", "元"),
        ("农村居民人均可支配收入", "元"),
    ]
    cells = "".join(
        f"<tr><td>{name}</td><td>{unit}</td><td>{rnd.uniform(8, 160) if unit == '亿元' else rnd.randint(18000, 46000):.1f}</td>"
        f"<td>{rnd.uniform(-2, 11):.1f}</td></tr>"
        for name, unit in rows
    )
    intro = f"<p>{_cn_date(when)}，县统计局发布全县主要经济指标，全县经济运行总体平稳、稳中有进。</p>"
    table = (
        "<table><thead><tr><th>指标</th><th>单位</th><th>累计</th><th>同比增长（%）</th></tr></thead>"
        f"<tbody>{cells}</tbody></table>"
    )
    return intro + table + "<p>注：地区生产总值按季度核算，增长速度按可比价格计算。</p>"


def _appointment_body(rnd: random.Random, title: str) -> str:
    people = [_person(rnd) for _ in range(rnd.randint(2, 5))]
    posts = (
        "县发展和改革局局长",
        "县财政局副局长",
        "县教育体育局副局长",
        "城关镇副镇长",
        "县卫生健康委员会副主任",
    )
    lines = [f"任命{p}为{T.pick(rnd, posts)}；" for p in people[:-1]]
    lines.append(f"免去{people[-1]}的{T.pick(rnd, posts)}职务。")
    return html(["各乡镇人民政府，县政府各部门：", "经县人民政府研究决定：", *lines, "青山县人民政府"])


def seed_articles(
    b: Builder, column: ColumnPage, count: int, *, unit_name: str = "", stale: bool = False
) -> int:
    slug = column.slug
    rnd = random.Random(f"{SEED}:{slug}")
    newest = 22 if stale else (1 if column.kind == ColumnKind.NEWS else 5)
    days = spread(rnd, count, newest=newest)
    unit = column.unit
    source = SOURCES.get(slug) or (unit.name if unit else "青山县人民政府办公室")
    created = 0
    previous: list[Page] = []
    for i, ago in enumerate(days):
        page_slug = f"{slug}-{count - i:03d}"
        if b.has(column, page_slug):
            continue
        when = b.at(ago, rnd)
        fixed = {"town": T.TOWNS[i % len(T.TOWNS)]} if slug == "xiangzhen" else {}
        title = _article_title(
            slug, rnd, unit_name or (unit.short_name if unit else "县政府"), when.date(), **fixed
        )
        if slug == "tjxx":
            body = _stats_body(rnd, when.date())
        elif slug == "rsrm":
            body = _appointment_body(rnd, title)
        else:
            subject = fixed.get("town") or unit_name or "我县"
            date = f"{when.month}月{when.day}日"
            body = html(T.paragraphs(rnd, subject=subject, date=date, count=rnd.randint(3, 5), **fixed))
        headline = slug == "yaowen" and i < HEADLINES
        with_cover = (
            headline or slug == "tupian" or (slug not in ("rsrm", "tjxx", "tongzhi") and rnd.random() < 0.25)
        )
        cover = b.image(rnd) if with_cover else None
        if slug == "tupian" and cover is not None:
            body = (
                f'<embed embedtype="image" id="{cover.pk}" format="fullwidth" alt="{escape(cover.title)}"/>'
                + body
            )
        page = ArticlePage(
            title=title[:255],
            slug=page_slug,
            summary=T.fill(T.pick(rnd, T.OPENINGS), rnd, subject="我县", date="近日")[:300],
            body=body,
            publish_date=when,
            source=source,
            author=T.pick(rnd, T.REPORTERS) if slug in ("yaowen", "tupian", "xiangzhen") else "",
            unit=unit,
            cover=cover,
            is_headline=headline,
            is_notice=column.kind == ColumnKind.NOTICE,
            disclosure_category=column.disclosure_category,
        )
        related = [RelatedPage(target=p) for p in previous[-2:]] if rnd.random() < 0.3 else []
        b.add(column, page, when, related=related)
        previous.append(page)
        created += 1
    return created


# --- policy documents and their 解读 -----------------------------------------------------------


def _docx_attachment(
    b: Builder, title: str, doc_number: str, organ: str, issued: dt.date, body: str
) -> Document:
    from tongban.documents.render import DocumentSpec, render_docx

    existing = Document.objects.filter(title=title, collection=b.attachments_collection).first()
    if existing is not None:
        return existing
    spec = DocumentSpec.model_validate(
        {
            "title": title,
            "doc_number": doc_number,
            "organs": [organ],
            "main_to": "各乡镇人民政府，县直各单位",
            "body_html": body,
            "signature": organ,
            "written_date": issued,
            "printer_organ": "青山县人民政府办公室" if "政府" in organ else organ,
            "printed_date": issued,
        }
    )
    data = render_docx(spec)
    doc = Document(title=title, collection=b.attachments_collection)
    doc.file = ContentFile(data, name=f"{doc_number or 'doc'}.docx".replace("〔", "-").replace("〕", "-"))
    doc.file_size = len(data)
    doc.save()
    return doc


def seed_policies(b: Builder, columns: dict[str, ColumnPage]) -> int:
    created = 0
    interp_column = columns["zcjd"]
    for slug, count in POLICY_COUNTS.items():
        column = columns[slug]
        organ, prefix, _owner = POLICY_ORGANS[slug]
        rnd = random.Random(f"{SEED}:{slug}")
        days = spread(rnd, count, newest=6, oldest=DAYS)
        numbers: dict[int, int] = {}
        specs = []
        for i, ago in enumerate(reversed(days)):  # oldest first so 文号 grow with time
            when = b.at(ago, rnd)
            issued = when.date() - dt.timedelta(days=rnd.randint(2, 9))
            numbers[issued.year] = numbers.get(issued.year, 0) + rnd.randint(1, 4)
            doc_number = f"{prefix}〔{issued.year}〕{numbers[issued.year]}号"
            if slug == "yjya":
                title = T.EMERGENCY_PLANS[i % len(T.EMERGENCY_PLANS)]
                title = f"{organ}关于印发《{title}》的通知"
            elif slug == "czzj":
                title = T.fill(T.pick(rnd, T.FINANCE_TITLES), rnd, year=str(issued.year))
            else:
                title = T.fill(T.pick(rnd, T.POLICY_TITLES), rnd, organ=organ, year=str(issued.year))
            specs.append((i + 1, when, issued, doc_number, title))
        for number, when, issued, doc_number, title in specs:
            page_slug = f"{slug}-{number:03d}"
            if b.has(column, page_slug):
                continue
            kind = "意见" if "意见" in title else ("预案" if slug == "yjya" else "方案")
            topic = T.pick(rnd, T.TOPICS)
            paragraphs = [
                T.fill(
                    t,
                    rnd,
                    purpose=f"进一步做好{topic}工作",
                    kind=kind,
                    topic=topic,
                    year2=str(issued.year + 3),
                )
                for t in T.POLICY_ARTICLES
            ]
            body = html(paragraphs)
            interpretation = None
            if slug == "zfwj" and number > POLICY_COUNTS["zfwj"] - INTERPRETED:
                interp_slug = f"zcjd-{number:03d}"
                interp_when = when + dt.timedelta(days=1)
                short = title.split("《")[1].split("》")[0] if "《" in title else title.removeprefix(organ)
                if not b.has(interp_column, interp_slug):
                    interpretation = ArticlePage(
                        title=T.fill(T.pick(rnd, T.TITLES["zcjd"]), rnd, doc=short)[:255],
                        slug=interp_slug,
                        summary=f"{doc_number}的起草背景、主要内容和政策措施解读。",
                        body=html(
                            [
                                f"一、起草背景。为{paragraphs[0][1:40]}……，县政府办公室牵头起草了《{short}》。",
                                f"二、主要内容。文件共{rnd.randint(4, 9)}个部分，明确了{topic}的目标任务、重点举措和保障措施。",
                                f"三、政策亮点。{paragraphs[3]}",
                                "四、解读机关：青山县人民政府办公室；解读人：县政府办公室副主任；联系电话：0797-6121000。",
                            ]
                        ),
                        publish_date=interp_when,
                        source="青山县人民政府办公室",
                        unit=interp_column.unit,
                        disclosure_category=DisclosureCategory.PLANS,
                    )
                    b.add(interp_column, interpretation, interp_when)
                    created += 1
                else:
                    interpretation = ArticlePage.objects.filter(
                        path__startswith=interp_column.path, slug=interp_slug
                    ).first()
            unit = b.unit(POLICY_ORGANS[slug][2])
            attachments = []
            if number > count - ATTACHED_POLICIES // len(POLICY_COUNTS) - (1 if slug == "zfwj" else 0):
                document = _docx_attachment(b, title, doc_number, organ, issued, body)
                attachments.append(PageAttachment(document=document, title=f"{title}.docx"))
            page = PolicyDocumentPage(
                title=title[:255],
                slug=page_slug,
                doc_number=doc_number,
                issuing_organ=organ,
                index_number=f"{orgs_demo.COUNTY_CODE}-{issued.year}-{number:05d}",
                issued_on=issued,
                effective_on=issued + dt.timedelta(days=rnd.choice((0, 10, 30))),
                expires_on=issued.replace(year=issued.year + 5) if rnd.random() < 0.6 else None,
                body=body,
                publish_date=when,
                source=organ,
                unit=unit,
                disclosure_category=column.disclosure_category or DisclosureCategory.RULES,
                interpretation=interpretation,
            )
            b.add(column, page, when, attachments=attachments)
            created += 1
    return created


# --- leaders, departments ----------------------------------------------------------------------


def seed_leaders(b: Builder, column: ColumnPage) -> int:
    rnd = random.Random(f"{SEED}:xld")
    titles = [title for title, _body, _charge in orgs_demo.LEADERS]
    posts = list(
        Post.objects.filter(
            county=b.county, is_primary=True, title__in=set(titles), unit__kind=UnitKind.LEADING_BODY
        )
        .select_related("user")
        .order_by("id")
    )
    duties: dict[int, list[str]] = {}
    for duty in LeaderDuty.objects.filter(county=b.county).select_related("unit").order_by("unit__sort"):
        duties.setdefault(duty.leader_id, []).append(duty.unit.short_name or duty.unit.name)
    created = 0
    when = b.at(60, rnd)
    for sort, post in enumerate(posts, start=1):
        slug = f"leader-{sort:02d}"
        if b.has(column, slug):
            continue
        name = post.user.full_name
        charge = duties.get(post.user_id, [])
        duty_text = (
            f"负责{'、'.join(charge)}方面的工作。" if charge else "主持全面工作。"
        ) + "完成县委、县政府交办的其他工作。"
        page = LeaderProfilePage(
            title=f"{name} {post.title}",
            slug=slug,
            name=name,
            position=post.title,
            duties=duty_text,
            resume=html(
                [
                    T.fill(
                        T.pick(rnd, T.LEADER_RESUME),
                        rnd,
                        born=str(rnd.randint(1968, 1982)),
                        edu=T.pick(rnd, T.EDUCATION),
                    ),
                    f"现任{post.title}。",
                ]
            ),
            sort=sort,
            publish_date=when,
            source="青山县人民政府办公室",
            unit=column.unit,
            disclosure_category=DisclosureCategory.ORGANISATION,
        )
        b.add(column, page, when)
        created += 1
    return created


def seed_departments(b: Builder, column: ColumnPage) -> int:
    rnd = random.Random(f"{SEED}:bmdh")
    units = list(
        Unit.objects.filter(county=b.county, is_active=True)
        .exclude(kind=UnitKind.LEADING_BODY)
        .order_by("sort", "id")
    )
    by_id = {u.pk: u for u in units}
    heads: dict[int, list[str]] = {}
    for post in (
        Post.objects.filter(county=b.county, is_primary=True, unit__in=units)
        .select_related("user")
        .order_by("unit_id", "sort", "id")
    ):
        head, deputy = orgs_demo._head_title(by_id[post.unit_id].name, by_id[post.unit_id].kind)
        if post.title in (head, deputy):
            heads.setdefault(post.unit_id, []).append(f"{post.user.full_name} {post.title}")
    created = 0
    for unit in units:
        slug = f"dept-{unit.unit_code}"
        if b.has(column, slug):
            continue
        when = b.at(rnd.randint(20, 400), rnd)
        duties = T.DUTIES_BY_KIND.get(unit.kind, T.DUTIES_BY_KIND["gov_dept"])
        page = DepartmentPage(
            title=unit.name,
            slug=slug,
            department=unit,
            duties="".join(f"<p>（{i}）{escape(d)}</p>" for i, d in enumerate(duties, start=1)),
            leaders="\n".join(heads.get(unit.pk, [])[:4]),
            address=unit.address or "青山县城关镇青山大道1号",
            office_hours="工作日 上午8:30—12:00，下午14:30—17:30",
            phone=unit.phone or f"{orgs_demo.AREA}-6120000",
            postcode="342800",
            publish_date=when,
            source=unit.name,
            unit=unit,
            disclosure_category=DisclosureCategory.ORGANISATION,
        )
        b.add(column, page, when)
        created += 1
    return created


# --- procurement, investment --------------------------------------------------------------------

PURCHASERS = (
    "青山县教育体育局",
    "青山县卫生健康委员会",
    "青山县人民医院",
    "青山县住房和城乡建设局",
    "青山县交通运输局",
    "青山县农业农村局",
)
GOODS = (
    "办公设备采购",
    "教学设备采购",
    "医疗设备采购",
    "道路养护服务",
    "物业管理服务",
    "信息化建设",
    "校园安防改造",
    "农村公路提升工程",
)
METHODS = ("公开招标", "竞争性磋商", "询价", "竞争性谈判")
WINNERS = (
    "江西青源科技有限公司",
    "青山县恒通建设有限公司",
    "赣州市华联设备有限公司",
    "南昌市启明信息技术有限公司",
)


def seed_procurement(b: Builder, column: ColumnPage) -> int:
    rnd = random.Random(f"{SEED}:zfcg")
    days = spread(rnd, PROCUREMENT_PROJECTS, newest=30, oldest=DAYS - 40)
    created = 0
    for i, ago in enumerate(reversed(days), start=1):
        tender_at = b.at(ago, rnd)
        project = f"QSCG-{tender_at.year}-{i:03d}"
        purchaser, goods, method = T.pick(rnd, PURCHASERS), T.pick(rnd, GOODS), T.pick(rnd, METHODS)
        budget = Decimal(rnd.randint(30, 900) * 10000)
        deadline = tender_at + dt.timedelta(days=20)
        name = f"{purchaser}{goods}项目"
        result_at = tender_at + dt.timedelta(days=rnd.randint(24, 30))
        for kind, when in (("tender", tender_at), ("result", result_at)):
            slug = f"zfcg-{i:03d}-{kind}"
            if b.has(column, slug) or when.date() > b.today:
                continue
            if kind == "tender":
                title = f"{name}{method}公告"
                body = html(
                    [
                        f"项目概况：{name}的潜在供应商应在青山县公共资源交易中心网站获取采购文件，并于"
                        f"{deadline:%Y年%m月%d日} 09:30（北京时间）前提交响应文件。",
                        f"一、项目基本情况。项目编号：{project}；采购方式：{method}；预算金额：{budget:,.0f}元。",
                        "二、申请人的资格要求：满足《中华人民共和国政府采购法》第二十二条规定；本项目专门面向中小企业采购。",
                        "三、对本次采购提出询问，请按以下方式联系：采购人及采购代理机构。",
                    ]
                )
            else:
                winner = T.pick(rnd, WINNERS)
                amount = budget * Decimal(rnd.randint(82, 98)) / Decimal(100)
                title = f"{name}中标（成交）结果公告"
                body = html(
                    [
                        f"一、项目编号：{project}；项目名称：{name}。",
                        f"二、中标（成交）信息：供应商名称：{winner}；中标（成交）金额：{amount:,.2f}元。",
                        "三、评审专家名单：依法从政府采购评审专家库中随机抽取。",
                        "四、公告期限：自本公告发布之日起1个工作日。",
                    ]
                )
            page = ProcurementNoticePage(
                title=title,
                slug=slug,
                notice_type=kind,
                project_number=project,
                purchaser=purchaser,
                agency="青山县公共资源交易中心",
                method=method,
                budget=budget,
                deadline=deadline if kind == "tender" else None,
                body=body,
                publish_date=when,
                source="青山县财政局",
                unit=column.unit,
                disclosure_category=DisclosureCategory.PROCUREMENT,
            )
            b.add(column, page, when)
            created += 1
    return created


def seed_investment(b: Builder, column: ColumnPage) -> int:
    rnd = random.Random(f"{SEED}:zsyz")
    days = spread(rnd, INVESTMENT_PROJECTS, newest=10, oldest=DAYS)
    created = 0
    for i, ago in enumerate(days, start=1):
        slug = f"zsyz-{i:03d}"
        if b.has(column, slug):
            continue
        when = b.at(ago, rnd)
        industry, town = T.INDUSTRIES[i % len(T.INDUSTRIES)], T.pick(rnd, T.TOWNS)
        total = Decimal(rnd.randint(3, 80) * 1000)
        page = InvestmentProjectPage(
            title=f"青山县{town}{industry}产业项目",
            slug=slug,
            industry=industry,
            location=f"青山县{town}",
            total_investment=total,
            cooperation=T.pick(rnd, ("独资", "合资", "合作", "PPP")),
            contact=f"县招商服务中心 {orgs_demo.AREA}-612{rnd.randint(1000, 9999)}",
            cover=b.image(rnd),
            body=html(
                [
                    f"项目位于青山县{town}，规划用地约{rnd.randint(30, 400)}亩，交通便利，水电路网配套齐全。",
                    f"建设内容：建设{industry}生产线及配套设施，项目总投资约{total:,.0f}万元。",
                    f"市场前景：{industry}产业是我县重点培育的主导产业，市场需求旺盛，发展前景广阔。",
                    "优惠政策：按照《青山县招商引资优惠政策若干规定》享受土地、税收和人才等方面支持。",
                ]
            ),
            publish_date=when,
            source="青山县商务局",
            unit=column.unit,
            disclosure_category=DisclosureCategory.MAJOR_PROJECTS,
        )
        b.add(column, page, when)
        created += 1
    return created


# --- the special topic -----------------------------------------------------------------------


def seed_topic(b: Builder) -> int:
    rnd = random.Random(f"{SEED}:{TOPIC_SLUG}")
    created = 0
    topic = TopicPage.objects.child_of(b.home).filter(slug=TOPIC_SLUG).first()
    if topic is None:
        when = b.at(300, rnd)
        related = list(
            PolicyDocumentPage.objects.descendant_of(b.home)
            .filter(title__contains="营商环境")
            .order_by("-publish_date")[:3]
        ) or list(PolicyDocumentPage.objects.descendant_of(b.home).order_by("-publish_date")[:3])
        topic = TopicPage(
            title="优化营商环境",
            slug=TOPIC_SLUG,
            intro="聚焦企业和群众办事的堵点难点，推行“一件事一次办”、涉企审批提速和政企常态化沟通，"
            "打造市场化、法治化、国际化一流营商环境。",
            banner=b.image(rnd),
            publish_date=when,
        )
        b.add(b.home, topic, when, related=[RelatedPage(target=p) for p in related])
        created += 1
    for i, ago in enumerate(spread(rnd, TOPIC_ARTICLES, newest=3, oldest=300)):
        slug = f"{TOPIC_SLUG}-{TOPIC_ARTICLES - i:03d}"
        if b.has(topic, slug):
            continue
        when = b.at(ago, rnd)
        page = ArticlePage(
            title=T.fill(T.TITLES["topic"][i % len(T.TITLES["topic"])], rnd)[:255],
            slug=slug,
            body=html(
                T.paragraphs(
                    rnd,
                    subject="县营商环境优化提升工作领导小组办公室",
                    date=f"{when.month}月{when.day}日",
                    topic="优化营商环境",
                )
            ),
            publish_date=when,
            source="青山县行政审批局",
            unit=b.unit("行政审批局"),
            cover=b.image(rnd) if i < 4 else None,
        )
        b.add(topic, page, when)
        created += 1
    return created


# --- the hook ------------------------------------------------------------------------------------


def _columns(home: HomePage) -> dict[str, ColumnPage]:
    return {c.slug: c for c in ColumnPage.objects.descendant_of(home).select_related("unit")}


@transaction.atomic
def build(county: County, *, today: dt.date | None = None) -> dict[str, int]:
    """Fill the county's site (built if missing); returns counts of what was created."""
    home = ensure_site(county)
    today = today or clock.today()
    images = demo_images.ensure_images()
    units = {u.short_name: u for u in Unit.objects.filter(county=county, is_active=True) if u.short_name}
    b = Builder(
        county=county,
        home=home,
        today=today,
        images=images,
        units=units,
        locale_id=Locale.get_default().pk,
        attachments_collection=_doc_collection(),
    )
    columns = _columns(home)
    counts: dict[str, int] = {}
    counts["policies"] = seed_policies(b, columns)
    articles = 0
    for slug, count in ARTICLE_COUNTS.items():
        articles += seed_articles(b, columns[slug], count)
    bumen = columns["bumen"]
    for col in columns.values():
        if col.path.startswith(bumen.path) and col.pk != bumen.pk:
            articles += seed_articles(
                b,
                col,
                BUMEN_EACH,
                unit_name=col.unit.short_name if col.unit else col.title,
                stale=col.slug == STALE_COLUMN,
            )
    counts["articles"] = articles
    counts["leaders"] = seed_leaders(b, columns["xld"])
    counts["departments"] = seed_departments(b, columns["bmdh"])
    counts["procurement"] = seed_procurement(b, columns["zfcg"])
    counts["investment"] = seed_investment(b, columns["zsyz"])
    counts["topic"] = seed_topic(b)
    b.finish()
    counts["pages"] = len(b.created)
    counts["images"] = len(images)
    _refresh(home, created=bool(b.created))
    return counts


def _doc_collection() -> Any:
    from wagtail.models import Collection

    existing = Collection.objects.filter(name=DOC_COLLECTION).first()
    return existing or Collection.get_first_root_node().add_child(name=DOC_COLLECTION)


def _refresh(home: HomePage, *, created: bool) -> None:
    """Put the new pages into the site search and drop the cached pages (A's and E's modules)."""
    if not created:
        return
    from tongban.portal import cache, search

    search.reindex_site(home)
    cache.invalidate("portal demo")


def seed(context: DemoContext) -> str:
    county = County.objects.filter(code=orgs_demo.COUNTY_CODE).first()
    if county is None:
        return "门户网站：未找到演示县，跳过"
    counts = build(county)
    total = ArticlePage.objects.descendant_of(HomePage.objects.get(county=county)).count()
    return (
        f"门户网站：新增页面 {counts['pages']} 个（文章 {counts['articles']}、政策文件 {counts['policies']}、"
        f"领导 {counts['leaders']}、部门 {counts['departments']}、采购公告 {counts['procurement']}、"
        f"招商项目 {counts['investment']}、专题 {counts['topic']}），文章共 {total} 篇，图片 {counts['images']} 张"
    )
