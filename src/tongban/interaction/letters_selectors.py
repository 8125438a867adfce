"""Reads of the leader and department mailboxes: who may see which letter (access functions), the
staff boxes, the public lists and statistics (国办发〔2017〕47号: published replies show 受理日期,
答复日期, 答复部门, 答复内容), and the inspection's "valid message unanswered > 3 months" rule
(国办秘函〔2019〕19号, rules.md §6)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import clock as tclock
from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import PublicAccount, User
from tongban.interaction.models import (
    Letter,
    LetterEvent,
    LetterEventKind,
    LetterKind,
    LetterStatus,
    Mailbox,
    Rating,
)
from tongban.orgs.models import BusinessRole, County, Unit
from tongban.orgs.selectors import role_triples

OPEN = (LetterStatus.RECEIVED, LetterStatus.ROUTED, LetterStatus.REVIEW)
VALID = (
    LetterStatus.RECEIVED,
    LetterStatus.ROUTED,
    LetterStatus.REVIEW,
    LetterStatus.ANSWERED,
    LetterStatus.CLOSED,
)
DONE = (LetterStatus.ANSWERED, LetterStatus.CLOSED)
# The events the writer sees on the progress page (internal notes stay internal).
PUBLIC_EVENTS = (
    LetterEventKind.RECEIVED,
    LetterEventKind.ROUTED,
    LetterEventKind.ANSWERED,
    LetterEventKind.RATED,
    LetterEventKind.RATING_DEFAULTED,
    LetterEventKind.REHANDLE,
    LetterEventKind.INVALIDATED,
    LetterEventKind.CLOSED,
)

OFFICE_BOXES = [
    ("received", gettext_lazy("待转办")),
    ("review", gettext_lazy("待审核")),
    ("routed", gettext_lazy("办理中")),
    ("answered", gettext_lazy("已答复")),
    ("closed", gettext_lazy("已办结")),
    ("invalid", gettext_lazy("无效")),
    ("all", gettext_lazy("全部")),
]
UNIT_BOXES = [
    ("todo", gettext_lazy("待办理")),
    ("submitted", gettext_lazy("已提交")),
    ("done", gettext_lazy("已答复")),
]


# --- roles -------------------------------------------------------------------------------------
def _grants(user: Any) -> list[tuple[int, int, str]]:
    """(county, unit, role) of the user's mailbox roles, read once per request object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    # the request's one read of the user's grants (orgs.selectors.role_triples), shared with the
    # other domains' navigation entries
    mailbox_roles = (BusinessRole.MAILBOX_OFFICE, BusinessRole.LETTER_HANDLER)
    cached = sorted((c, u, r) for r, u, c in role_triples(user) if r in mailbox_roles)
    return list(cached)


def office_county_ids(user: Any) -> set[int]:
    return {c for c, _u, r in _grants(user) if r == BusinessRole.MAILBOX_OFFICE}


def handler_unit_ids(user: Any) -> set[int]:
    return {u for _c, u, r in _grants(user) if r == BusinessRole.LETTER_HANDLER}


def is_office(user: Any, county_id: int | None = None) -> bool:
    ids = office_county_ids(user)
    return bool(ids) if county_id is None else county_id in ids


def is_handler(user: Any, unit_id: int | None = None) -> bool:
    ids = handler_unit_ids(user)
    return bool(ids) if unit_id is None else unit_id in ids


def may_use(user: Any) -> bool:
    return bool(_grants(user))


def require_office(user: Any, county_id: int) -> None:
    if not is_office(user, county_id):
        raise PermissionDenied("letters.not_office", _("只有信箱办公室的工作人员可以进行此操作。"))


def require_handler(user: Any, letter: Letter) -> None:
    if letter.routed_to_id is None or not is_handler(user, letter.routed_to_id):
        raise PermissionDenied("letters.not_handler", _("只有承办单位的信件承办人可以进行此操作。"))


def staff_county(user: Any) -> County:
    ids = sorted({c for c, _u, _r in _grants(user)})
    if not ids:
        raise PermissionDenied("letters.no_role", _("您没有处理来信的权限。"))
    return County.objects.get(pk=ids[0])


def office_users(county_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_grants__county_id=county_id,
            role_grants__role=BusinessRole.MAILBOX_OFFICE,
        ).distinct()
    )


def handler_users(unit_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_grants__unit_id=unit_id, role_grants__role=BusinessRole.LETTER_HANDLER
        ).distinct()
    )


# --- access ------------------------------------------------------------------------------------
def _visible(user: Any) -> Q:
    offices = office_county_ids(user)
    units = handler_unit_ids(user)
    q = Q(pk__in=[])
    if offices:
        q |= Q(county_id__in=offices)
    if units:
        q |= Q(routed_to_id__in=units) | Q(reply_unit_id__in=units)
    return q


def get_letter_for(user: Any, pk: int) -> Letter:
    """The letter ``pk`` if ``user`` may see it: the mailbox office of its county, or a letter
    handler of the unit it is routed to (or that answered it). Others: NotFound (not told apart)."""
    if not may_use(user):
        raise PermissionDenied("letters.no_role", _("您没有处理来信的权限。"))
    letter = (
        Letter.objects.select_related("mailbox", "routed_to", "reply_unit", "county")
        .filter(_visible(user), pk=pk)
        .first()
    )
    if letter is None:
        raise NotFound("letters.not_found", _("来信不存在或您无权查看。"))
    return letter


# --- staff boxes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LetterFilter:
    box: str = ""
    kind: str = ""
    mailbox_id: int | None = None
    unit_id: int | None = None
    overdue: bool = False
    q: str = ""


def default_box(user: Any) -> str:
    return "received" if is_office(user) else "todo"


def _office_box(qs: QuerySet[Letter], box: str) -> QuerySet[Letter]:
    states = {
        "received": LetterStatus.RECEIVED,
        "review": LetterStatus.REVIEW,
        "routed": LetterStatus.ROUTED,
        "answered": LetterStatus.ANSWERED,
        "closed": LetterStatus.CLOSED,
        "invalid": LetterStatus.INVALID,
    }
    return qs.filter(status=states[box]) if box in states else qs


def letters_for(user: Any, f: LetterFilter) -> QuerySet[Letter]:
    """A staff box, open letters by due date first; office boxes for the office, unit boxes
    (待办理 / 已提交 / 已答复) for the letter handlers."""
    if not may_use(user):
        raise PermissionDenied("letters.no_role", _("您没有处理来信的权限。"))
    box = f.box or default_box(user)
    qs = Letter.objects.select_related("mailbox", "routed_to", "reply_unit")
    if box in dict(UNIT_BOXES):
        units = handler_unit_ids(user)
        if box == "todo":
            qs = qs.filter(routed_to_id__in=units, status=LetterStatus.ROUTED)
        elif box == "submitted":
            qs = qs.filter(routed_to_id__in=units, status=LetterStatus.REVIEW)
        else:
            qs = qs.filter(reply_unit_id__in=units, status__in=DONE)
    else:
        offices = office_county_ids(user)
        if not offices:
            raise PermissionDenied("letters.not_office", _("只有信箱办公室的工作人员可以查看此列表。"))
        qs = _office_box(qs.filter(county_id__in=offices), box)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.mailbox_id:
        qs = qs.filter(mailbox_id=f.mailbox_id)
    if f.unit_id:
        qs = qs.filter(routed_to_id=f.unit_id)
    if f.overdue:
        qs = qs.filter(status__in=OPEN, due_on__lt=tclock.today())
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(tracking_code__iexact=f.q) | Q(writer_name=f.q))
    if box in ("received", "review", "routed", "todo", "submitted"):
        return qs.order_by("due_on", "id")
    return qs.order_by("-received_on", "-id")


def box_counts(user: Any) -> dict[str, int]:
    """Letters in each box the user has (one query for the office, one for the units)."""
    out: dict[str, int] = {}
    offices = office_county_ids(user)
    if offices:
        rows = Letter.objects.filter(county_id__in=offices).values("status").annotate(n=Count("id"))
        by_status = {r["status"]: r["n"] for r in rows}
        for key, _label in OFFICE_BOXES:
            out[key] = sum(by_status.values()) if key == "all" else by_status.get(key, 0)
    units = handler_unit_ids(user)
    if units:
        agg = Letter.objects.aggregate(
            todo=Count("id", filter=Q(routed_to_id__in=units, status=LetterStatus.ROUTED)),
            submitted=Count("id", filter=Q(routed_to_id__in=units, status=LetterStatus.REVIEW)),
            done=Count("id", filter=Q(reply_unit_id__in=units, status__in=DONE)),
        )
        out.update({k: int(v or 0) for k, v in agg.items()})
    return out


def pending_count(user: Any) -> int:
    """The nav badge: the office's letters to route and drafts to review, the units' letters to answer."""
    n = 0
    offices = office_county_ids(user)
    if offices:
        n += Letter.objects.filter(
            county_id__in=offices, status__in=(LetterStatus.RECEIVED, LetterStatus.REVIEW)
        ).count()
    units = handler_unit_ids(user)
    if units:
        n += Letter.objects.filter(routed_to_id__in=units, status=LetterStatus.ROUTED).count()
    return n


def events_of(letter: Letter) -> list[LetterEvent]:
    return list(letter.events.select_related("actor", "unit").order_by("at", "id"))


def public_events(letter: Letter) -> list[LetterEvent]:
    return [e for e in events_of(letter) if e.kind in PUBLIC_EVENTS]


def current_draft(letter: Letter) -> Any:
    return letter.drafts.select_related("unit", "author").order_by("-id").first()


def routable_units(county: County) -> QuerySet[Unit]:
    return Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")


# --- public ------------------------------------------------------------------------------------
def public_county() -> County | None:
    """The county whose portal this is (the deployment serves one county's site)."""
    return County.objects.order_by("id").first()


def mailboxes(county: County) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(county=county, is_active=True).select_related("unit").order_by("sort", "id")


def get_mailbox(county: County, pk: int | None) -> Mailbox:
    box = (
        Mailbox.objects.filter(county=county, is_active=True, pk=pk).select_related("unit").first()
        if pk is not None
        else None
    )
    if box is None:
        raise NotFound("letters.no_mailbox", _("请选择信箱。"))
    return box


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明明 → 欧***: the writer's surname only, on published letters."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def published_letters(county: County, *, limit: int | None = None) -> QuerySet[Letter]:
    """Published replies of ``county``, the newest answered first (国办发〔2017〕47号)."""
    qs = (
        Letter.objects.filter(county=county, is_published=True, status__in=DONE)
        .select_related("mailbox", "reply_unit")
        .order_by("-answered_on", "-id")
    )
    return qs[:limit] if limit is not None else qs


@dataclass(frozen=True)
class PublicFilter:
    kind: str = ""
    mailbox_id: int | None = None
    start: date | None = None
    end: date | None = None
    q: str = ""


def published_filtered(county: County, f: PublicFilter) -> QuerySet[Letter]:
    qs = published_letters(county)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.mailbox_id:
        qs = qs.filter(mailbox_id=f.mailbox_id)
    if f.start:
        qs = qs.filter(received_on__gte=f.start)
    if f.end:
        qs = qs.filter(received_on__lte=f.end)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    return qs


def published_letter(county: County, pk: int) -> Letter:
    letter = published_letters(county).filter(pk=pk).first()
    if letter is None:
        raise NotFound("letters.not_found", _("该信件不存在或未公开。"))
    return letter


_SPACE = re.compile(r"[\s-]")


def letter_lookup(code: str, phone: str) -> Letter:
    """The writer's letter by its 查询码 and the phone given when writing (a mismatch reads like a
    wrong code)."""
    code = (code or "").strip().upper()
    phone = _SPACE.sub("", phone or "")
    letter = (
        Letter.objects.select_related("mailbox", "reply_unit", "routed_to").filter(tracking_code=code).first()
        if code
        else None
    )
    if letter is None or not phone or _SPACE.sub("", letter.phone) != phone:
        raise NotFound("letters.lookup_failed", _("查询码或联系电话不正确。"), field="code")
    return letter


def letters_of_account(account: PublicAccount) -> QuerySet[Letter]:
    return (
        Letter.objects.filter(account=account)
        .select_related("mailbox", "reply_unit")
        .order_by("-received_on", "-id")
    )


def public_stats(county: County, *, year: int | None = None) -> dict[str, Any]:
    """Public statistics of the valid letters (invalid ones are not counted): received, answered,
    answered on time and the on-time rate, the satisfaction rate (满意 + 基本满意 over the rated,
    defaulted ratings counting as 满意), by type and by month (received vs answered)."""
    qs = Letter.objects.filter(county=county, status__in=VALID)
    answered_qs = qs.filter(answered_on__isnull=False)
    if year is not None:
        qs = qs.filter(received_on__year=year)
        answered_qs = answered_qs.filter(answered_on__year=year)
    agg = qs.aggregate(
        received=Count("id"),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASIC))),
    )
    ans = answered_qs.aggregate(answered=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
    answered = int(ans["answered"] or 0)
    on_time = int(ans["on_time"] or 0)
    rated = int(agg["rated"] or 0)
    by_kind_rows = {r["kind"]: r["n"] for r in qs.values("kind").annotate(n=Count("id"))}
    by_kind = [
        {"kind": k.value, "label": str(k.label), "count": int(by_kind_rows.get(k.value, 0))}
        for k in LetterKind
    ]
    months: list[dict[str, Any]] = []
    if year is not None:
        rec = {
            r["m"]: r["n"]
            for r in qs.annotate(m=ExtractMonth("received_on")).values("m").annotate(n=Count("id"))
        }
        done = {
            r["m"]: r["n"]
            for r in answered_qs.annotate(m=ExtractMonth("answered_on")).values("m").annotate(n=Count("id"))
        }
        months = [
            {"month": f"{year}-{m:02d}", "received": int(rec.get(m, 0)), "answered": int(done.get(m, 0))}
            for m in range(1, 13)
        ]
    return {
        "year": year,
        "received": int(agg["received"] or 0),
        "answered": answered,
        "on_time": on_time,
        "on_time_rate": round(on_time * 100 / answered, 1) if answered else None,
        "rated": rated,
        "satisfied": int(agg["satisfied"] or 0),
        "satisfaction_rate": round(int(agg["satisfied"] or 0) * 100 / rated, 1) if rated else None,
        "by_kind": by_kind,
        "by_month": months,
    }


def overdue_unanswered(county: County, *, older_than_days: int = 90) -> QuerySet[Letter]:
    """Valid letters received more than ``older_than_days`` calendar days ago and still not
    answered — the website inspection's failing item "any valid message unanswered > 3 months"
    (国办秘函〔2019〕19号, rules.md §6)."""
    cutoff = tclock.today() - timedelta(days=older_than_days)
    return (
        Letter.objects.filter(county=county, status__in=OPEN, received_on__lt=cutoff)
        .select_related("mailbox", "routed_to")
        .order_by("received_on", "id")
    )
