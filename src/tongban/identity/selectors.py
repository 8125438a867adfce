"""Identity reads: the security policy (cached), keys, tokens, accounts — filtered for the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.identity.models import ApiToken, EnrolmentCode, SecurityPolicy, User, WebAuthnCredential

POLICY_CACHE_KEY = "identity:security_policy"
# The cache entry carries the row's version; services.policy_update clears it at once. With a
# per-process cache (the embedded default) other processes see a change within this many seconds.
POLICY_CACHE_SECONDS = 30


@dataclass(frozen=True)
class Policy:
    version: int
    require_key: bool
    idle_minutes: int
    lockout_minutes: int
    password_min_length: int
    password_min_classes: int
    enrolment_code_hours: int

    @classmethod
    def from_row(cls, row: SecurityPolicy) -> Policy:
        return cls(
            version=row.version,
            require_key=row.require_key,
            idle_minutes=row.idle_minutes,
            lockout_minutes=row.lockout_minutes,
            password_min_length=row.password_min_length,
            password_min_classes=row.password_min_classes,
            enrolment_code_hours=row.enrolment_code_hours,
        )


def policy_row() -> SecurityPolicy:
    row, _ = SecurityPolicy.objects.get_or_create(id=1)
    return row


def security_policy() -> Policy:
    """The policy in force, from the cache when it is there."""
    cached = cache.get(POLICY_CACHE_KEY)
    if isinstance(cached, Policy):
        return cached
    policy = Policy.from_row(policy_row())
    cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
    return policy


def policy_cache_clear() -> None:
    cache.delete(POLICY_CACHE_KEY)


def user_keys(user: User) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user).order_by("created_at", "id")


def user_has_keys(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user).exists()


def live_enrolment_codes(user: User) -> QuerySet[EnrolmentCode]:
    return EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())


def user_search(query: str = "") -> QuerySet[User]:
    qs = User.objects.all().order_by("pinyin", "id")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(pinyin__startswith=query.lower())
            | Q(pinyin_initials__startswith=query.lower())
            | Q(mobile__contains=query)
        )
    return qs


def administrators() -> QuerySet[User]:
    return User.objects.exclude(admin_role="").order_by("admin_role", "username")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "created_by").order_by("-created_at")


def locked_attempts() -> list[dict[str, object]]:
    """Accounts locked by django-axes right now: username, failures, last attempt, unlock time."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max, Sum

    policy = security_policy()
    since = timezone.now() - timedelta(minutes=policy.lockout_minutes)
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .exclude(username__isnull=True)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")
    )
    out: list[dict[str, object]] = []
    for row in rows:
        if (row["failures"] or 0) >= settings.AXES_FAILURE_LIMIT:
            out.append(
                {
                    "username": row["username"],
                    "failures": row["failures"],
                    "last": row["last"],
                    "until": row["last"] + timedelta(minutes=policy.lockout_minutes),
                }
            )
    return out
