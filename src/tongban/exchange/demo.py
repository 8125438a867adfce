"""Demo data of the data exchange (order 850): the integration client 省一体化平台 (an account
without a password holding 监察员 and 依申请公开办理员 in the demo units of those roles, and a token
scoped ``approvals:read`` + ``interaction:read``), and a push target pointing at a receiver on
loopback that the demo does NOT run and that is disabled — nothing is sent until an administrator
starts ``manage.py exchange_receiver`` and enables the target (docs/exchange.md)."""

from __future__ import annotations

from tongban.core.demo import DemoContext
from tongban.exchange.models import ExchangeTarget
from tongban.identity import services as identity_services
from tongban.identity.models import ApiToken, User
from tongban.orgs import services as orgs_services
from tongban.orgs.models import BusinessRole, RoleGrant

ACCOUNT = "shengpingtai"
CLIENT_NAME = "省一体化平台"
SCOPES = ["approvals:read", "interaction:read"]
TARGET_NAME = "省一体化平台（演示，本机接收端）"
TARGET_URL = "http://127.0.0.1:8765/tongban/push"
DEMO_SECRET = "demo-exchange-secret-2026"  # noqa: S105 - documented demo value


def _grant_like(account: User, secadmin: User, model_username: str, role: str) -> int:
    """Give the account ``role`` in the unit where the demo user ``model_username`` holds it."""
    grant = RoleGrant.objects.filter(user__username=model_username, role=role).select_related("unit").first()
    if grant is None or RoleGrant.objects.filter(user=account, unit=grant.unit, role=role).exists():
        return 0
    orgs_services.role_grant(actor=secadmin, user=account, unit=grant.unit, role=role)
    return 1


def seed(context: DemoContext) -> str:
    secadmin = User.objects.filter(username="secadmin").first()
    account = User.objects.filter(username=ACCOUNT).first()
    if account is None:
        account = identity_services.user_create(
            actor=None,
            username=ACCOUNT,
            full_name="省一体化平台（集成账号）",
            audit_event="identity.user_created",
        )
    grants = 0
    if secadmin is not None:
        grants += _grant_like(account, secadmin, "supervisor", BusinessRole.SUPERVISOR)
        grants += _grant_like(account, secadmin, "disclosure", BusinessRole.DISCLOSURE_OFFICER)
    token_note = "令牌已存在"  # noqa: S105 - a message
    if not ApiToken.objects.filter(user=account, name=CLIENT_NAME, revoked_at__isnull=True).exists():
        _token, raw = identity_services.api_token_issue(
            actor=None, user=account, name=CLIENT_NAME, scopes=SCOPES, rate_per_minute=60
        )
        token_note = f"令牌 {raw}（只显示这一次）"
    ExchangeTarget.objects.get_or_create(
        name=TARGET_NAME,
        defaults={
            "url": TARGET_URL,
            "secret": DEMO_SECRET,
            "enabled": False,
            "push_cases": True,
            "push_disclosure": True,
        },
    )
    return f"数据交换：集成客户端 {CLIENT_NAME}（{ACCOUNT}，授权 {grants} 项角色），{token_note}；推送目标（未启用）{TARGET_URL}"
