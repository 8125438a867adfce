"""Reads of the staff side of cases: who may see a case, the unit's case boxes, and what the case
page shows. Everything here is already filtered for the user.

Who sees a case (rules.md §4 and the issue's authorization matrix):
- the staff of the case's unit (a post or a business role there) — they handle it;
- window clerks (窗口人员) for the cases filed at a counter (窗口代办);
- supervisors (监察员) of the county — every case, read only (every write service refuses them).

List pages read only the case rows with their cached clock dates (``due_on``, ``light``…): no
clock is computed per row, so a page costs the same few queries at any number of cases."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.approvals import handling, processes
from tongban.approvals.models import (
    Case,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    Channel,
    ExtensionRequest,
    ExtensionStatus,
)
from tongban.core import clock as core_clock
from tongban.core.calendar import workdays_between
from tongban.core.errors import NotFound
from tongban.orgs.models import BusinessRole, Post, RoleGrant, Unit

BOXES: list[tuple[str, Any]] = [
    ("pending", gettext_lazy("待受理")),
    ("supplement", gettext_lazy("待补正")),
    ("handling", gettext_lazy("办理中")),
    ("paused", gettext_lazy("挂起")),
    ("certify", gettext_lazy("待制证")),
    ("done", gettext_lazy("已办结")),
    ("all", gettext_lazy("全部")),
]
BOX_STATUS = {
    "pending": [CaseStatus.SUBMITTED],
    "supplement": [CaseStatus.SUPPLEMENT],
    "handling": [CaseStatus.ACCEPTED],
    "paused": [CaseStatus.PAUSED],
    "certify": [CaseStatus.DECIDED],
}
PAGE_SIZE = 20


@dataclass(frozen=True)
class Scope:
    """The cases a user may read: the unit ids of their posts and handling roles, whether they
    are a supervisor (the whole county) or a window clerk (counter-filed cases)."""

    unit_ids: frozenset[int]
    handle_unit_ids: frozenset[int]
    leader_unit_ids: frozenset[int]
    supervisor_counties: frozenset[int]
    window_counties: frozenset[int]

    @property
    def empty(self) -> bool:
        return not (self.unit_ids or self.supervisor_counties or self.window_counties)


def scope_of(user: Any) -> Scope:
    """The user's :class:`Scope`, read once per user object — a request's ``request.user`` lives
    for one request, so the page, its boxes and the navigation badges share two queries."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    memo = getattr(user, "_tb_case_scope", None)
    if isinstance(memo, Scope):
        return memo
    s = _scope_of(user)
    with contextlib.suppress(AttributeError):
        user._tb_case_scope = s
    return s


def _scope_of(user: Any) -> Scope:
    units: set[int] = set(Post.objects.filter(user=user).values_list("unit_id", flat=True))
    handle: set[int] = set()
    leader: set[int] = set()
    sup: set[int] = set()
    win: set[int] = set()
    for unit_id, county_id, role in RoleGrant.objects.filter(user=user).values_list(
        "unit_id", "county_id", "role"
    ):
        if role in handling.HANDLER_ROLES:
            units.add(unit_id)
            handle.add(unit_id)
            if role == BusinessRole.UNIT_LEADER:
                leader.add(unit_id)
        elif role == BusinessRole.SUPERVISOR:
            sup.add(county_id)
        elif role == BusinessRole.WINDOW_CLERK:
            win.add(county_id)
    return Scope(frozenset(units), frozenset(handle), frozenset(leader), frozenset(sup), frozenset(win))


def can_read(user: Any, case: Case, scope: Scope | None = None) -> bool:
    s = scope or scope_of(user)
    return (
        case.unit_id in s.unit_ids
        or case.county_id in s.supervisor_counties
        or (case.channel == Channel.COUNTER and case.county_id in s.window_counties)
    )


def can_handle(user: Any, case: Case) -> bool:
    """Whether ``user`` handles cases of ``case.unit`` (审批人员 or 单位领导 there)."""
    return case.unit_id in scope_of(user).handle_unit_ids


def is_unit_head(user: Any, case: Case) -> bool:
    return case.unit_id in scope_of(user).leader_unit_ids


def access_case_for_staff(user: Any, case_id: int | str) -> Case:
    """The case, if ``user`` may read it (see the module docstring); else NotFound (a case the
    user may not see and one that does not exist are not told apart)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        pk = 0
    case = (
        Case.objects.select_related("item", "version", "unit", "handler", "account", "filed_by", "instance")
        .filter(pk=pk)
        .first()
    )
    if case is None or not can_read(user, case):
        raise NotFound("approvals.no_case", _("找不到该办件。"))
    return case


def visible_cases(user: Any, scope: Scope | None = None) -> QuerySet[Case]:
    """The cases ``user`` may read. A supervisor's filter is ``county_id IN …`` alone when the
    county already holds the units of their posts and the counters they serve (an OR with
    ``unit_id IN …`` would make PostgreSQL scan every case instead of the county's indexes)."""
    s = scope or scope_of(user)
    sup = s.supervisor_counties
    units = set(s.unit_ids)
    if sup and units:
        units -= set(Unit.objects.filter(pk__in=units, county_id__in=sup).values_list("pk", flat=True))
    q = Q(pk__in=[])
    if sup:
        q |= Q(county_id__in=sup)
    if units:
        q |= Q(unit_id__in=units)
    window = s.window_counties - sup
    if window:
        q |= Q(channel=Channel.COUNTER, county_id__in=window)
    return Case.objects.filter(q)


OPEN_ORDER = (F("due_on").asc(nulls_last=True), "received_at", "id")  # approvals_case_*_open
DONE_ORDER = ("-completed_at", "-id")  # approvals_case_*_done


class Chain:
    """Querysets read one after another as one list (the 全部 box: each open state by its running
    deadline, then the finished cases newest first — every part in the order of its partial
    index, so no part sorts the county's million cases). Sliceable and countable like a
    queryset for the paginator; each part is counted only up to :data:`COUNT_CAP` + 1 and the
    parts after the cap are not counted (no page reaches them)."""

    def __init__(self, parts: list[QuerySet[Case]], *, cap: int | None = None, narrow: bool = False) -> None:
        self.parts = parts
        self.cap = COUNT_CAP + 1 if cap is None else cap  # 0: count every row
        # narrow: a page's ids are sorted first (only the sort keys are read), then its rows
        # fetched by id — for an index that orders the parts only in part (ties sorted)
        self.narrow = narrow
        self._counts: list[int] | None = None

    def _rows(self, part: QuerySet[Case], lo: int, hi: int) -> list[Case]:
        if not self.narrow:
            return list(part[lo:hi])
        ids = list(part.values_list("pk", flat=True)[lo:hi])
        by_id = part.order_by().in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def _part_counts(self) -> list[int]:
        if self._counts is None:
            counts: list[int] = []
            total = 0
            for part in self.parts:
                if not self.cap:
                    n = part.count()
                elif total < self.cap:  # unordered: the capped subquery need not sort
                    n = int(part.order_by()[: self.cap - total].count())
                else:
                    n = 0
                counts.append(n)
                total += n
            self._counts = counts
        return self._counts

    def count(self) -> int:
        return sum(self._part_counts())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Any:
        return iter(self[0:None])

    def __getitem__(self, k: slice | int) -> Any:
        if isinstance(k, int):
            got = self[k : k + 1]
            if not got:
                raise IndexError(k)
            return got[0]
        start, stop = k.start or 0, k.stop
        out: list[Case] = []
        offset = 0
        for part, n in zip(self.parts, self._part_counts(), strict=True):
            if stop is not None and offset >= stop:
                break
            if start < offset + n:
                lo = max(0, start - offset)
                hi = n if stop is None else min(n, stop - offset)
                out += self._rows(part, lo, hi)
            offset += n
        return out


def cases_for_unit(
    user: Any,
    *,
    box: str = "pending",
    q: str = "",
    unit_id: int | None = None,
    mine: bool = False,
) -> QuerySet[Case] | Chain:
    """The cases of a box (待受理, 待补正, 办理中, 挂起, 待制证, 已办结, 全部) the user may read,
    searched by tracking number or applicant, open cases by their running deadline first.
    Every box reads a partial index: an open box ``is_open`` and one state by (due_on,
    received_at, id), 已办结 ``NOT is_open`` by completion newest first; 全部 is the open states
    in the boxes' order, then the finished cases (a :class:`Chain`)."""
    s = scope_of(user)
    qs = visible_cases(user, s)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if mine:
        qs = qs.filter(filed_by=user)
    q = (q or "").strip()[:64]
    if q:
        qs = qs.filter(
            Q(tracking_no__startswith=q)
            | Q(applicant_name__icontains=q)
            | Q(applicant_phone=q)
            | Q(applicant_id_number=q)
        )
    qs = qs.select_related("item", "unit", "handler")
    if box in BOX_STATUS:
        return qs.filter(is_open=True, status__in=BOX_STATUS[box]).order_by(*OPEN_ORDER)
    done = qs.filter(is_open=False).order_by(*DONE_ORDER)
    if box == "done":
        return done
    opened = [st for sts in BOX_STATUS.values() for st in sts]
    return Chain([*(qs.filter(is_open=True, status=st).order_by(*OPEN_ORDER) for st in opened), done])


@dataclass
class Row:
    case: Case
    remaining: int | None  # working days to the running deadline (negative: over), from due_on
    overdue: bool

    @property
    def over(self) -> int:
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most :data:`COUNT_CAP` + 1 rows (a county-wide 全部 box at a million cases must not
    count them all); ``capped`` tells the page to say "more than". Pages a queryset or a
    :class:`Chain`."""

    def __init__(self, object_list: QuerySet[Case] | Chain, per_page: int) -> None:
        super().__init__(cast(Any, object_list), per_page)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @cached_property
    def count(self) -> int:
        qs: Any = self.object_list
        if isinstance(qs, Chain):
            return min(qs.count(), COUNT_CAP + 1)
        return int(qs.order_by()[: COUNT_CAP + 1].count())  # unordered: the subquery need not sort


def case_page(
    user: Any, *, box: str, q: str = "", unit_id: int | None = None, page: Any = 1, mine: bool = False
) -> tuple[Page, list[Row]]:
    """One page of a box with each row's remaining working days (from the cached ``due_on``)."""
    pager = CappedPaginator(cases_for_unit(user, box=box, q=q, unit_id=unit_id, mine=mine), PAGE_SIZE)
    pg = pager.get_page(page)
    today = core_clock.today()
    rows = [
        Row(case=c, remaining=_remaining(c, today), overdue=bool(c.due_on and c.due_on < today and c.is_open))
        for c in pg.object_list
    ]
    return pg, rows


def _remaining(case: Case, today: date) -> int | None:
    if not case.is_open or case.due_on is None:
        return None
    if case.due_on >= today:
        return workdays_between(today, case.due_on)
    return -workdays_between(case.due_on, today)


def box_counts(user: Any, unit_id: int | None = None) -> dict[str, int]:
    """The number of open cases in each box (one grouped query)."""
    from django.db.models import Count

    qs = visible_cases(user).filter(is_open=True)  # approvals_case_unit_open / _county_open
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    by_status = dict(qs.values_list("status").annotate(n=Count("*")).values_list("status", "n"))
    return {box: sum(by_status.get(st, 0) for st in sts) for box, sts in BOX_STATUS.items()}


def pending_count(user: Any) -> int:
    """Nav badge: cases awaiting acceptance in the units the user handles, plus extensions awaiting
    the unit head."""
    s = scope_of(user)
    if not s.handle_unit_ids:
        return 0
    n = Case.objects.filter(
        unit_id__in=s.handle_unit_ids, is_open=True, status=CaseStatus.SUBMITTED
    ).count()  # approvals_case_unit_open
    if s.leader_unit_ids:
        n += ExtensionRequest.objects.filter(
            case__unit_id__in=s.leader_unit_ids, status=ExtensionStatus.PENDING
        ).count()
    return n


def handler_units(user: Any) -> list[Unit]:
    s = scope_of(user)
    ids = s.unit_ids
    if s.supervisor_counties:
        return list(
            Unit.objects.filter(county_id__in=s.supervisor_counties, is_active=True).order_by("sort", "id")
        )
    return list(Unit.objects.filter(pk__in=ids).order_by("sort", "id"))


def access_material(user: Any, case_id: int, material_id: int) -> CaseMaterial:
    case = access_case_for_staff(user, case_id)
    m = CaseMaterial.objects.filter(pk=material_id, case=case).first()
    if m is None:
        raise NotFound("approvals.no_material", _("找不到该材料。"))
    return m


def access_notice(user: Any, case_id: int, notice_id: int) -> CaseNotice:
    case = access_case_for_staff(user, case_id)
    n = CaseNotice.objects.filter(pk=notice_id, case=case).first()
    if n is None:
        raise NotFound("approvals.no_notice", _("找不到该文书。"))
    return n


def access_extension(user: Any, request_id: int) -> ExtensionRequest:
    req = ExtensionRequest.objects.select_related("case").filter(pk=request_id).first()
    if req is None or not can_read(user, req.case):
        raise NotFound("approvals.no_extension", _("找不到该延期申请。"))
    return req


def route(case: Case) -> list[Any]:
    """The workflow route (办理过程) of the case's instance."""
    from tongban.workflow import selectors as wf

    if case.instance is None:
        return []
    return wf.route(case.instance)


def step_names(case: Case) -> list[tuple[str, str]]:
    return handling.step_names(case.version.process_key)


def actions_for(user: Any, case: Case) -> dict[str, bool]:
    """Which action forms the case page shows to ``user`` in the case's state (the services check
    again)."""
    from tongban.workflow import services as wf

    handle = can_handle(user, case)
    head = is_unit_head(user, case)
    st = case.status
    items = handling.open_items(case) if case.instance_id else []
    mine = {i.step for i in items if i.parent_id is None and wf.user_can_act(i, user)}
    has_ext = ExtensionRequest.objects.filter(
        case=case, status__in=[ExtensionStatus.PENDING, ExtensionStatus.APPROVED]
    ).exists()
    return {
        "accept": handle and st == CaseStatus.SUBMITTED,
        "reject": handle and st == CaseStatus.SUBMITTED,
        "supplement": handle and st in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.PAUSED),
        "review": handle and st == CaseStatus.ACCEPTED and bool(mine & {"first_review", "review"}),
        "decide": handle and st == CaseStatus.ACCEPTED and processes.DECIDE_STEP in mine,
        "pause": handle and st == CaseStatus.ACCEPTED,
        "resume": handle and st == CaseStatus.PAUSED,
        "extend": handle and st in (CaseStatus.ACCEPTED, CaseStatus.PAUSED) and not has_ext,
        "extension_decide": head,
        "certify": handle and st == CaseStatus.DECIDED and processes.CERTIFY_STEP in mine,
        "fee": handle and case.is_open,
        "withdraw": handle
        and st in (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT, CaseStatus.ACCEPTED, CaseStatus.PAUSED),
    }
