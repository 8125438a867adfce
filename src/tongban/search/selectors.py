"""Search reads: ``search(user=…, q=…)`` — full text over the entries the user may see.

How visibility and the text match combine — match first, then check visibility of the
candidates only:

1. Candidates: entries of the user's county (and filters) whose text matches, newest first
   (date, id), fetched in windows (1,000 first, the next sized from the share found visible) — FTS5 ``MATCH`` on SQLite,
   ``tsv @@ tsquery`` over a GIN index on PostgreSQL; the database stops after each window.
2. Visibility: for each kind, the kind's own ``visible_ids(user)`` query narrowed to the
   window's ids (``.filter(pk__in=…)``), so the domain's rules are evaluated on a few hundred
   rows by primary key instead of over every document in the county.
3. Stop once the page is full and at least ``COUNT_SCAN`` candidates have been examined, or the
   matches run out, or ``SCAN_BUDGET`` (4,200) candidates have been examined — the bound
   that keeps a search under 100 ms at 200,000 documents. The total is exact when the matches
   ran out; otherwise it is "N or more" (``capped``): a very common word among 200,000
   documents is better narrowed (more words, a year, a unit) than counted.

Nothing outside ``visible_ids(user)`` ever reaches a page: unregistered kinds are never shown."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import NotSupportedError, connection
from django.db.models import BooleanField, DateField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tongban.core.errors import PermissionDenied
from tongban.orgs.models import Unit
from tongban.orgs.selectors import county_for_user
from tongban.search import registry
from tongban.search import text as textmod
from tongban.search.models import SearchEntry

PER_PAGE = 20
COUNT_CAP = 1000
MAX_PAGE = COUNT_CAP // PER_PAGE
# Candidates examined: the first window is large because each visibility query has a fixed
# cost, so one window answers most searches; a next window is sized from the share of visible
# candidates so far; SCAN_BUDGET is the most one search examines (the latency bound).
FIRST_WINDOW = 1000
MIN_WINDOW = 200
SCAN_BUDGET = 4200
COUNT_SCAN = 1000  # examine at least this many candidates (when there are) before stopping


@dataclass
class SearchHit:
    kind: str
    kind_label: str
    object_id: int
    url: str
    title: SafeString  # escaped, terms in <mark>
    title_text: str
    number: str
    snippet: SafeString  # escaped, terms in <mark>
    date: dt.date | None
    year: int | None
    doc_type: str
    unit_id: int | None
    unit_name: str


@dataclass
class SearchResults:
    q: str
    terms: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # only part of the matches were examined: there are more than ``total``
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def num_pages(self) -> int:
        pages = max(1, min(MAX_PAGE, -(-self.total // self.per_page)))
        return max(pages, min(MAX_PAGE, self.page + 1)) if self.capped else pages

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def previous_page(self) -> int:
        return self.page - 1


def can_search(user: Any) -> bool:
    """Staff may search; the three administrators (三员) do not read documents, and nor does anybody
    logged out or disabled."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and not getattr(user, "admin_role", "")
    )


def access_search(user: Any) -> None:
    """Raise unless ``user`` may use search (the one check for the page and the API)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("search.login_required", _("请先登录。"))
    if not can_search(user):
        raise PermissionDenied("search.forbidden", _("管理员账号不能检索公文。"))


def year_choices() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 10, -1))


def _kinds(kind: str | None) -> list[registry.SearchKind]:
    kinds = registry.kinds()
    return [k for k in kinds if k.kind == kind] if kind else kinds


def candidates(*, user: Any, kind: str | None = None) -> QuerySet[SearchEntry]:
    """Entries of the user's county of the registered kinds — before visibility (see ``search``)."""
    none = SearchEntry.objects.none()
    if not can_search(user):
        return none
    county = county_for_user(user)
    kinds = _kinds(kind)
    if county is None or not kinds:
        return none
    return SearchEntry.objects.filter(county=county, kind__in=[k.kind for k in kinds])


def _ids(values: Any) -> set[int]:
    out: set[int] = set()
    for v in values:
        if isinstance(v, int):
            out.add(v)
        elif isinstance(v, tuple | list):
            out.add(int(v[0]))
        elif isinstance(v, dict):
            out.add(int(next(iter(v.values()))))
        else:
            out.add(int(v.pk))
    return out


def _pk_in(qs: QuerySet[Any], ids: list[int]) -> QuerySet[Any]:
    """``qs.filter(pk__in=ids)``; on PostgreSQL as one array parameter (``= ANY(%s)``), which
    saves compiling thousands of placeholders."""
    if connection.vendor != "postgresql":
        return qs.filter(pk__in=ids)
    meta = qs.model._meta
    qn = connection.ops.quote_name
    column = f"{qn(meta.db_table)}.{qn(meta.pk.column)}"
    return qs.filter(RawSQL(f"{column} = ANY(%s)", [list(ids)], output_field=BooleanField()))  # noqa: S611


def visible_among(
    user: Any, kind: registry.SearchKind, object_ids: list[int], visible: Any = None
) -> set[int]:
    """Which of ``object_ids`` the user may see, by the kind's ``visible_ids(user)`` (or
    ``visible``, that query already made), evaluated on those ids only."""
    if not object_ids:
        return set()
    if visible is None:
        visible = kind.visible_ids(user)
    if isinstance(visible, QuerySet):
        try:
            return _ids(_pk_in(visible, object_ids).order_by())
        except (TypeError, NotSupportedError):  # e.g. a union: let the database intersect
            return set(
                SearchEntry.objects.filter(kind=kind.kind, object_id__in=object_ids)
                .filter(object_id__in=visible)
                .values_list("object_id", flat=True)
            )
    return _ids(visible) & set(object_ids)


def _match(qs: QuerySet[SearchEntry], terms: list[str]) -> QuerySet[SearchEntry]:
    vendor = connection.vendor
    if vendor == "postgresql":
        table = SearchEntry._meta.db_table
        tsquery = textmod.pg_tsquery(terms)
        # the table name is a constant; the query goes as a parameter
        return qs.filter(RawSQL(f'"{table}"."tsv" @@ %s::tsquery', [tsquery], output_field=BooleanField()))  # noqa: S611
    if vendor == "sqlite":
        return qs.filter(
            id__in=RawSQL(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [textmod.fts5_match(terms)]
            )
        )
    for term in terms:  # pragma: no cover - other engines: a slow but correct fallback
        qs = qs.filter(terms__contains=term)
    return qs


# PostgreSQL: up to this many estimated matches, read them all through the GIN index and sort
# (about 1 µs a match); above it, walk the (county, date) index newest first and test each row
# (about 5 µs a row, but a common word fills a window within a few thousand rows). The planner
# alone misjudges this (it does not count the cost of reading each row's tsvector).
BITMAP_MAX = 25_000


def _estimate(qs: QuerySet[SearchEntry]) -> int:
    """The planner's estimate of the number of rows ``qs`` matches (EXPLAIN, not run)."""
    try:
        sql, params = qs.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # e.g. nothing the user may search
        return 0
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _order(qs: QuerySet[SearchEntry]) -> tuple[QuerySet[SearchEntry], bool]:
    """Newest first (date, id), and whether to read the whole budget at once. On PostgreSQL a
    rare word is sorted from the GIN matches (the ``date + 0`` key keeps the planner off the date
    index; same order) — every match is read anyway, so the budget comes in one query; a common
    word walks the date index window by window."""
    if connection.vendor == "postgresql" and _estimate(qs) <= BITMAP_MAX:
        table = connection.ops.quote_name(SearchEntry._meta.db_table)
        by_date = RawSQL(f'{table}."date" + 0', [], output_field=DateField())  # noqa: S611
        return qs.order_by(by_date.desc(), "-id"), True
    return qs.order_by("-date", "-id"), False


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def search(
    *,
    user: Any,
    q: str,
    kind: str | None = None,
    year: int | str | None = None,
    unit_id: int | str | None = None,
    page: int | str = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """One page of results for ``q`` among what ``user`` may see, newest first, with highlighted
    title and snippet (escaped HTML). Optional filters: kind, year, issuing unit."""
    q = (q or "").strip()[: textmod.MAX_QUERY_CHARS]
    terms = textmod.query_terms(q)
    number = max(1, min(MAX_PAGE, _int(page) or 1))
    result = SearchResults(q=q, terms=terms, page=number, per_page=per_page)
    if not terms:
        return result
    qs = candidates(user=user, kind=kind or None)
    if (y := _int(year)) is not None:
        qs = qs.filter(year=y)
    if (u := _int(unit_id)) is not None:
        qs = qs.filter(unit_id=u)
    ordered_qs, at_once = _order(_match(qs, terms))
    ordered = ordered_qs.values_list("id", "kind", "object_id")
    prefetched = list(ordered[:SCAN_BUDGET]) if at_once else None
    kinds = {k.kind: k for k in _kinds(kind or None)}
    visible: dict[str, Any] = {}  # each kind's visible_ids(user), made once per search
    need = number * per_page + 1
    found: list[int] = []  # visible entry ids, newest first
    scanned = 0
    exhausted = False
    size = FIRST_WINDOW
    while size > 0:
        if prefetched is not None:
            chunk = prefetched[scanned : scanned + size]
            exhausted = scanned + size >= len(prefetched) and len(prefetched) < SCAN_BUDGET
        else:
            chunk = list(ordered[scanned : scanned + size])
            exhausted = len(chunk) < size
        scanned += len(chunk)
        by_kind: dict[str, list[int]] = {}
        for _id, k, oid in chunk:
            by_kind.setdefault(k, []).append(oid)
        seen: dict[str, set[int]] = {}
        for k, oids in by_kind.items():
            if k in kinds:
                if k not in visible:
                    visible[k] = kinds[k].visible_ids(user)
                seen[k] = visible_among(user, kinds[k], oids, visible[k])
        found += [eid for eid, k, oid in chunk if oid in seen.get(k, ())]
        if exhausted or len(found) >= COUNT_CAP or (len(found) >= need and scanned >= COUNT_SCAN):
            break
        rest = SCAN_BUDGET - scanned
        if found and len(found) < need:  # enough to fill the page, with a margin
            size = min(rest, max(MIN_WINDOW, math.ceil((need - len(found)) * scanned / len(found) * 1.25)))
        else:
            size = rest
    result.total = min(len(found), COUNT_CAP)
    result.capped = not exhausted or len(found) > COUNT_CAP
    page_ids = found[(number - 1) * per_page : number * per_page]
    by_id = {
        r.pk: r
        for r in SearchEntry.objects.filter(pk__in=page_ids).only(
            "id",
            "kind",
            "object_id",
            "unit_id",
            "title",
            "number",
            "body",
            "attachments_text",
            "year",
            "doc_type",
            "date",
        )
    }
    rows = [by_id[i] for i in page_ids if i in by_id]
    units = {
        pk: short or name
        for pk, short, name in Unit.objects.filter(pk__in={r.unit_id for r in rows if r.unit_id}).values_list(
            "pk", "short_name", "name"
        )
    }
    for r in rows:
        k = registry.get_kind(r.kind)
        if k is None:  # unregistered since the query started: never shown
            continue
        result.hits.append(
            SearchHit(
                kind=r.kind,
                kind_label=str(k.label),
                object_id=r.object_id,
                url=k.url(r.object_id),
                title=textmod.highlight(r.title, terms),
                title_text=r.title,
                number=r.number,
                snippet=textmod.snippet([r.body, r.attachments_text], terms),
                date=r.date,
                year=r.year,
                doc_type=r.doc_type,
                unit_id=r.unit_id,
                unit_name=units.get(r.unit_id, "") if r.unit_id else "",
            )
        )
    return result


def matching(qs: QuerySet[SearchEntry], terms: list[str]) -> QuerySet[SearchEntry]:
    """``qs`` narrowed to the entries that contain every one of ``terms`` (FTS5 ``MATCH`` on
    SQLite, the ``tsvector`` on PostgreSQL). No visibility rules: for callers whose entries are
    public, such as the portal's site search (``tongban.portal.search``). No terms: no entries."""
    if not terms:
        return qs.none()
    return _match(qs, terms)
