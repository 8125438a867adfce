"""Scopes of integration tokens: ``<module>:read`` → the /api/v1/ path prefixes it opens (GET/HEAD
only). Registered with :mod:`tongban.identity.api_auth` in :mod:`tongban.exchange.setup` (identity
is a lower layer and does not import exchange); ``test_scopes`` checks that every path of the
OpenAPI document belongs to a scope or to :data:`UNSCOPED`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

API = "/api/v1/"

# module → (label, path prefixes). A prefix ending in "/" covers what is under it; one without a
# trailing slash covers the path itself and what is under it.
MODULES: dict[str, tuple[object, tuple[str, ...]]] = {
    "orgs": (_("组织机构、通讯录、工作日历"), ("org/", "addressbook", "calendar/")),
    "documents": (
        _("公文、流程、收文、归档、印章、检索"),
        ("documents/", "workflow/", "incoming/", "archive/", "seals/", "render/", "search/"),
    ),
    "notices": (_("通知公告与消息"), ("notices/", "notifications/")),
    "approvals": (
        _("审批事项与办件"),
        ("approvals/", "cases/", "public/catalogue/", "public/cases", "public/lookup"),
    ),
    "supervision": (
        _("电子监察、投诉、绩效"),
        ("supervision/", "complaints/", "followups/", "performance/", "public/complaints/"),
    ),
    "interaction": (
        _("政民互动：信件、依申请公开、访谈、调查"),
        (
            "letters/",
            "disclosure-requests/",
            "interviews/",
            "surveys/",
            "public/letters/",
            "public/disclosure-requests/",
            "public/interviews/",
            "public/surveys/",
        ),
    ),
    "portal": (_("门户网站"), ("portal/", "public/portal/")),
    "meetings": (_("会议与领导日程"), ("meetings/", "schedules/")),
    "stats": (_("考核统计"), ("stats/",)),
    "library": (_("共享资源库"), ("library/",)),
    "netmon": (_("网络监测"), ("netmon/",)),
}

# Paths no scoped token reaches (beyond /me, which every token may read): the public accounts'
# own session endpoints and the data exchange's administration.
UNSCOPED: tuple[str, ...] = (
    "public/login",
    "public/logout",
    "public/me",
    "public/password",
    "public/register",
    "exchange/",
    "me",
)


def scope_name(module: str) -> str:
    return f"{module}:read"


def scope_table() -> dict[str, tuple[str, ...]]:
    """``{"approvals:read": ("/api/v1/approvals/", …), …}``."""
    return {scope_name(m): tuple(API + p for p in prefixes) for m, (_label, prefixes) in MODULES.items()}


def scope_choices() -> list[tuple[str, str]]:
    return [(scope_name(m), f"{scope_name(m)} — {label}") for m, (label, _p) in MODULES.items()]


def scope_labels() -> dict[str, str]:
    return {scope_name(m): str(label) for m, (label, _p) in MODULES.items()}
