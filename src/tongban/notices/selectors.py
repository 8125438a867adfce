"""Reads of notices, already filtered for the actor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.notices.models import Notice, NoticeAttachment, NoticeReceipt, NoticeStatus, NoticeTarget
from tongban.orgs import selectors as orgs
from tongban.orgs.models import BusinessRole, RoleGrant, Unit

# Who may draft, publish, remind and withdraw a unit's notices: its clerks, office heads and leaders.
PUBLISHER_ROLES = (BusinessRole.CLERK, BusinessRole.OFFICE_HEAD, BusinessRole.UNIT_LEADER)


def _authenticated(user: Any) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
    )


def publishable_units(user: Any) -> list[Unit]:
    """Active units in which ``user`` may publish notices (clerk, office head or unit leader)."""
    if not _authenticated(user):
        return []
    grants = (
        RoleGrant.objects.filter(user_id=user.pk, role__in=PUBLISHER_ROLES, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__sort", "unit_id")
    )
    seen: dict[int, Unit] = {}
    for grant in grants:
        seen.setdefault(grant.unit_id, grant.unit)
    return list(seen.values())


def can_publish_for(user: Any, unit: Unit) -> bool:
    if not _authenticated(user):
        return False
    return RoleGrant.objects.filter(
        user_id=user.pk, unit_id=unit.pk, role__in=PUBLISHER_ROLES, unit__is_active=True
    ).exists()


def can_manage(user: Any, notice: Notice) -> bool:
    """The publishing unit's clerks, office heads and leaders manage its notices; the author
    manages their own drafts."""
    if not _authenticated(user):
        return False
    if notice.status == NoticeStatus.DRAFT and notice.author_id == user.pk:
        return True
    return can_publish_for(user, notice.unit)


def _audience_q(user: Any) -> Q:
    """Published notices addressed to the user: the whole county of one of their units, or one of
    their units."""
    units = orgs.units_for_user(user)
    unit_ids = [u.pk for u in units]
    county_ids = sorted({u.county_id for u in units})
    targeted = NoticeTarget.objects.filter(notice_id=OuterRef("pk"), unit_id__in=unit_ids)
    receipt = NoticeReceipt.objects.filter(notice_id=OuterRef("pk"), user_id=user.pk)
    return Q(status=NoticeStatus.PUBLISHED) & (
        Q(whole_county=True, county_id__in=county_ids) | Q(Exists(targeted)) | Q(Exists(receipt))
    )


def _visible_ids(user: Any) -> QuerySet[Notice]:
    if not _authenticated(user):
        return Notice.objects.none()
    return Notice.objects.filter(_audience_q(user)).values("pk")  # type: ignore[return-value]


def notices_for(*, user: Any, q: str = "", unread_only: bool = False) -> QuerySet[Notice]:
    """Published notices addressed to ``user``: unread first, then newest first. Each row carries
    ``my_read_at`` and ``my_confirmed_at`` (the user's receipt)."""
    if not _authenticated(user):
        return Notice.objects.none()
    mine = NoticeReceipt.objects.filter(notice_id=OuterRef("pk"), user_id=user.pk)
    qs = (
        Notice.objects.filter(pk__in=_visible_ids(user))
        .select_related("unit")
        .annotate(
            my_read_at=Subquery(mine.values("read_at")[:1]),
            my_confirmed_at=Subquery(mine.values("confirmed_at")[:1]),
        )
    )
    q = q.strip()
    if q:
        qs = qs.filter(title__icontains=q)
    if unread_only:
        qs = qs.filter(my_read_at__isnull=True)
    return qs.order_by(F("my_read_at").asc(nulls_first=True), "-published_at", "-id")


def unread_count(*, user: Any) -> int:
    """Unexpired notices addressed to the user that they have not opened. One query, memoised on
    the user object for the request (the nav badge and the workbench both ask)."""
    if not _authenticated(user):
        return 0
    cached = getattr(user, "_notices_unread", None)
    if cached is None:
        read = NoticeReceipt.objects.filter(notice_id=OuterRef("pk"), user_id=user.pk, read_at__isnull=False)
        today = timezone.localdate()
        cached = (
            Notice.objects.filter(pk__in=_visible_ids(user))
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            .exclude(Exists(read))
            .count()
        )
        user._notices_unread = cached
    return int(cached)


def managed_notices(*, user: Any, q: str = "") -> QuerySet[Notice]:
    """Notices of the units where the user may publish (drafts, published and withdrawn), and the
    user's own drafts; newest first."""
    if not _authenticated(user):
        return Notice.objects.none()
    unit_ids = [u.pk for u in publishable_units(user)]
    qs = Notice.objects.filter(Q(unit_id__in=unit_ids) | Q(author_id=user.pk, status=NoticeStatus.DRAFT))
    q = q.strip()
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.select_related("unit", "author").order_by(F("published_at").desc(nulls_first=True), "-id")


def is_in_audience(user: Any, notice: Notice) -> bool:
    if not _authenticated(user) or notice.status != NoticeStatus.PUBLISHED:
        return False
    return Notice.objects.filter(pk=notice.pk).filter(_audience_q(user)).exists()


def access_notice(pk: int, user: Any) -> Notice:
    """A notice the user may see: a published one addressed to them, or one they manage. Anything
    else is 'not found' (existence is not disclosed)."""
    if not _authenticated(user):
        raise PermissionDenied("notices.login_required", _("请先登录。"))
    notice = Notice.objects.filter(pk=pk).select_related("unit", "author", "published_by").first()
    if notice is None or not (can_manage(user, notice) or is_in_audience(user, notice)):
        raise NotFound("notices.not_found", _("通知不存在或您无权查看。"))
    return notice


def access_managed_notice(pk: int, user: Any) -> Notice:
    """A notice the user manages; a reader who may see it is refused (403), others get 404."""
    notice = access_notice(pk, user)
    if not can_manage(user, notice):
        raise PermissionDenied(
            "notices.not_publisher", _("只有发布单位的文书、办公室主任或单位领导可以管理此通知。")
        )
    return notice


def access_attachment(notice: Notice, attachment_id: int) -> NoticeAttachment:
    att = NoticeAttachment.objects.filter(pk=attachment_id, notice_id=notice.pk).first()
    if att is None:
        raise NotFound("notices.attachment_not_found", _("附件不存在。"))
    return att


def receipt_of(*, notice: Notice, user: Any) -> NoticeReceipt | None:
    if not _authenticated(user):
        return None
    return NoticeReceipt.objects.filter(notice_id=notice.pk, user_id=user.pk).first()


def target_units(notice: Notice) -> list[Unit]:
    return [
        t.unit
        for t in NoticeTarget.objects.filter(notice=notice)
        .select_related("unit")
        .order_by("unit__sort", "unit_id")
    ]


@dataclass
class UnitStatus:
    unit_id: int | None
    unit_name: str
    total: int = 0
    read: int = 0
    confirmed: int = 0
    not_read: list[User] = field(default_factory=list)
    read_unconfirmed: list[User] = field(default_factory=list)


@dataclass
class ReadStatus:
    notice: Notice
    units: list[UnitStatus]
    total: int
    read: int
    confirmed: int

    @property
    def pending(self) -> int:
        """Readers still owing something: confirmation when it is required, else reading."""
        done = self.confirmed if self.notice.requires_confirmation else self.read
        return self.total - done


def read_status(*, notice: Notice, actor: Any) -> ReadStatus:
    """Per unit: how many of the audience have read and confirmed, and who has not. Only for those
    who manage the notice. Two queries (receipts with their users, then unit names)."""
    if not can_manage(actor, notice):
        raise PermissionDenied(
            "notices.not_publisher", _("只有发布单位的文书、办公室主任或单位领导可以查看阅读情况。")
        )
    rows = (
        NoticeReceipt.objects.filter(notice_id=notice.pk)
        .select_related("user", "unit")
        .order_by("unit__sort", "unit_id", "user__pinyin", "user_id")
    )
    units: dict[int | None, UnitStatus] = {}
    total = read = confirmed = 0
    for r in rows:
        st = units.get(r.unit_id)
        if st is None:
            st = units[r.unit_id] = UnitStatus(r.unit_id, r.unit.name if r.unit is not None else _("其他"))
        st.total += 1
        total += 1
        if r.read_at:
            st.read += 1
            read += 1
        else:
            st.not_read.append(r.user)
        if r.confirmed_at:
            st.confirmed += 1
            confirmed += 1
        elif r.read_at:
            st.read_unconfirmed.append(r.user)
    return ReadStatus(notice=notice, units=list(units.values()), total=total, read=read, confirmed=confirmed)


def latest_for_home(*, user: Any, limit: int = 5) -> list[Notice]:
    today = timezone.localdate()
    qs = notices_for(user=user).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return list(qs[:limit])
