from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _account_url(request):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    return {"account_url": reverse("identity:account")}


def _role(role: str):  # type: ignore[no-untyped-def]
    return lambda user: bool(user.is_authenticated and getattr(user, "admin_role", "") == role)


class IdentityConfig(AppConfig):
    name = "tongban.identity"
    label = "identity"
    verbose_name = _("身份与安全")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tongban.core import nav, shell
        from tongban.identity import checks  # noqa: F401
        from tongban.identity.middleware import start_idle_deadline

        shell.register(_account_url)
        user_logged_in.connect(start_idle_deadline, dispatch_uid="tongban.identity.idle_deadline")
        section = _("系统管理")
        items = [
            ("identity.users", _("账号管理"), "identity:users", "bi-person-badge", 900, "system"),
            ("identity.policy", _("安全策略"), "identity:security_policy", "bi-shield-lock", 910, "security"),
            ("identity.locked", _("锁定账号"), "identity:security_locked", "bi-lock", 911, "security"),
            ("identity.keys", _("电子钥匙管理"), "identity:security_keys", "bi-key", 912, "security"),
            (
                "identity.tokens",
                _("接口令牌"),
                "identity:security_tokens",
                "bi-braces-asterisk",
                913,
                "security",
            ),
            ("identity.admins", _("三员名单"), "identity:security_admins", "bi-people", 914, "security"),
        ]
        for key, label, url_name, icon, order, role in items:
            nav.register(
                nav.NavItem(
                    key=key,
                    label=label,
                    url_name=url_name,
                    icon=icon,
                    section=section,
                    order=order,
                    visible=_role(role),
                )
            )
