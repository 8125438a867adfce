"""Search reads: ``search(user=…, q=…)`` — full text over the entries the user may see.

How visibility and the text match combine: one SQL statement per page. The full-text condition
(FTS5 ``MATCH`` on SQLite, ``tsv @@ tsquery`` over a GIN index on PostgreSQL) and the county are
ANDed with, for each registered kind, ``kind = k AND object_id IN (visible_ids(user))`` — the
domain's own query of what the user may see, run inside the database as a subquery, so no id list
travels to Python and nothing the user may not see can reach a page. Results are newest first
(date, id), so the database stops after one page instead of ranking every match; the total is
counted up to ``COUNT_CAP`` (shown as "超过 1,000 条")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
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
    capped: bool = False  # more than COUNT_CAP matches; ``total`` is COUNT_CAP
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))

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


def visible_entries(*, user: Any, kind: str | None = None) -> QuerySet[SearchEntry]:
    """Entries of the user's county that the user may see (by each kind's ``visible_ids``)."""
    none = SearchEntry.objects.none()
    if not can_search(user):
        return none
    county = county_for_user(user)
    if county is None:
        return none
    kinds = registry.kinds()
    if kind:
        kinds = [k for k in kinds if k.kind == kind]
    if not kinds:
        return none
    cond = Q()
    for k in kinds:
        cond |= Q(kind=k.kind, object_id__in=k.visible_ids(user))
    return SearchEntry.objects.filter(county=county).filter(cond)


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
    qs = visible_entries(user=user, kind=kind or None)
    if (y := _int(year)) is not None:
        qs = qs.filter(year=y)
    if (u := _int(unit_id)) is not None:
        qs = qs.filter(unit_id=u)
    qs = _match(qs, terms)
    rows = list(
        qs.order_by("-date", "-id").only(
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
        )[(number - 1) * per_page : number * per_page]
    )
    if number == 1 and len(rows) < per_page:
        result.total = len(rows)
    else:
        result.total = qs.order_by()[: COUNT_CAP + 1].count()
        if result.total > COUNT_CAP:
            result.total, result.capped = COUNT_CAP, True
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
