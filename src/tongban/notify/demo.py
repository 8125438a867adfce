"""Demo notifications: every demo account finds a welcome message and a reminder to register an
electronic key on its workbench. Deduplicated, so running seed_demo again sends nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.notify.services import notify


def seed(context: DemoContext) -> str:
    users = list(User.objects.filter(username__in=context.usernames, is_active=True))
    created = notify(
        users=users,
        event="notify.welcome",
        title=_("欢迎使用通办县电子政务平台"),
        body=_("左侧是各项功能；右上角“大字”切换适老化大字模式，“EN”切换英文界面。"),
        url="/",
        dedupe_key="demo-welcome",
    )
    created += notify(
        users=users,
        event="identity.security",
        title=_("请登记您的电子钥匙"),
        body=_(
            "插入单位发放的电子钥匙，在“账号与电子钥匙”页面登记。安全管理员启用“须使用电子钥匙”后，仅凭密码将无法登录。"
        ),
        url="/account/",
        dedupe_key="demo-register-key",
    )
    return _("演示消息：新增 %(n)d 条") % {"n": len(created)}
