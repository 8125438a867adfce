"""Wiring of the letters part (called from InteractionConfig.ready): the nav entry 领导信箱 in
政民互动 with the pending count, the notification events, the daily job and the demo hook."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SECTION = _("政民互动")


def _visible(user: Any) -> bool:
    from tongban.interaction import letters_selectors as sel

    return bool(user.is_authenticated) and sel.may_use(user)


def _badge(user: Any) -> int:
    from tongban.interaction import letters_selectors as sel

    return sel.pending_count(user)


def ready() -> None:
    from tongban.core import demo, nav, schedule
    from tongban.interaction import demo_letters, tasks_letters
    from tongban.notify import events

    for order, (code, label, channels) in enumerate(
        (
            ("letters.routed", _("来信转办本单位"), ("inapp",)),
            ("letters.reply_submitted", _("来信答复稿待审核"), ("inapp",)),
            ("letters.reply_returned", _("来信答复稿退回修改"), ("inapp",)),
            ("letters.unit_returned", _("来信被承办单位退回"), ("inapp",)),
            ("letters.due_soon", _("来信即将到期"), ("inapp",)),
            ("letters.overdue", _("来信超期未答复"), ("inapp", "sms")),
            ("letters.urged", _("来信督办"), ("inapp",)),
            ("letters.rehandle", _("来信人申请重办"), ("inapp",)),
        ),
        start=500,
    ):
        events.register(code, label, default_channels=channels, order=order)
    nav.register(
        nav.NavItem(
            key="interaction_letters",
            label=_("领导信箱"),
            url_name="letters:index",
            icon="bi-envelope-paper",
            section=SECTION,
            order=500,
            visible=_visible,
            badge=_badge,
        )
    )
    # 07:30 every day: reminders before/after the deadline, then the rating default and closing.
    schedule.register("interaction.letters_daily", tasks_letters.letters_daily, cron="30 7 * * *")
    demo.register("interaction_letters", demo_letters.seed, order=310)
