"""The portal's Wagtail admin (/cms/): branded 门户网站管理, a way back to the platform, and no
user or group management — people, roles and passwords are managed only in the platform by the
security administrator (rules.md §0 三员分立); desk groups follow the role grants
(:mod:`tongban.portal.editorial`). Wagtail's own users/groups views are refused for everyone,
superusers included, and hidden from the menus."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

# Wagtail menu item names nobody needs here (user management is the platform's)
HIDDEN_MENU_ITEMS = frozenset({"users", "groups", "api_tokens"})
FORBIDDEN_PREFIXES = ("users", "groups", "api-tokens")


def forbidden(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Wagtail's user and group management is switched off: the platform manages people."""
    return HttpResponseForbidden(
        _("门户网站管理不管理用户和用户组：人员、角色和密码由安全管理员在平台中管理。").encode()
    )


def platform_login(request: HttpRequest) -> HttpResponse:
    """/cms/login/ → the platform's login (one login for the whole platform)."""
    next_url = request.GET.get("next") or reverse("wagtailadmin_home")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("wagtailadmin_home")
    return redirect(f"{reverse('identity:login')}?next={next_url}")


@hooks.register("register_admin_urls", order=-100)
def forbid_user_management() -> list[Any]:
    # Registered before Wagtail's viewsets (order 0), so these patterns win.
    urls: list[Any] = [
        re_path(rf"^{prefix}/", forbidden, name=f"tongban_forbidden_{prefix.replace('-', '_')}")
        for prefix in FORBIDDEN_PREFIXES
    ]
    urls.append(re_path(r"^bulk/[^/]+/user/", forbidden, name="tongban_forbidden_user_bulk"))
    urls.append(re_path(r"^login/$", platform_login, name="tongban_cms_login"))
    return urls


@hooks.register("construct_main_menu")
def hide_main_menu_items(request: HttpRequest, menu_items: list[Any]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_MENU_ITEMS]


@hooks.register("construct_settings_menu")
def hide_settings_menu_items(request: HttpRequest, menu_items: list[Any]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_MENU_ITEMS]


@hooks.register("register_admin_menu_item")
def back_to_platform() -> MenuItem:
    return MenuItem(
        gettext_lazy("返回工作台"), "/", name="tongban_platform", icon_name="arrow-left", order=10000
    )


@hooks.register("register_admin_menu_item")
def desks_menu() -> MenuItem:
    return MenuItem(
        gettext_lazy("编辑部与公文发布"),
        reverse("portal_desks:index"),
        name="tongban_desks",
        icon_name="group",
        order=9000,
    )
