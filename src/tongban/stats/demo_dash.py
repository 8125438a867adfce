"""Demo data of the dashboards' part (order 820): the county's unit costs for the effect report,
three published changelog entries describing real features of the platform, and a handful of
feedback items from different units in different states, answered by the 考核管理员 (kaohe).
Idempotent: entries and items are found again by title."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.orgs.models import County
from tongban.orgs.selectors import user_primary_unit
from tongban.stats import effect
from tongban.stats.models import ChangelogEntry, Feedback, FeedbackKind, FeedbackStatus

CHANGELOG = (
    (
        "v1.4",
        60,
        "领导日程可一键发布到门户网站",
        "领导日程管理员在“领导周活动安排”页面点击“发布到门户网站”，本周公开的日程即出现在门户网站"
        "“县领导”栏目；再次发布同一周会更新原页面，不会重复生成。",
    ),
    (
        "v1.5",
        35,
        "电子监察总览增加灯色分布图和立即巡检",
        "电子监察总览新增在办件灯色分布饼图和各部门在办件柱状图（均附数据表），监察员可点击“立即巡检”"
        "立刻重新计算预警、黄牌、红牌，整改通知逾期未回复的数量同时显示。",
    ),
    (
        "v1.6",
        10,
        "会议签到支持现场扫码与请假登记",
        "会务管理员可在会议页面的“签到考勤”中查看应到、到会、迟到、请假和缺席人数，参会人员可现场扫码签到，"
        "请假人员由会务管理员登记，考勤表可导出。",
    ),
)

# (author, kind, title, body, page, page title, status, answer, changelog index or None, days ago)
FEEDBACK = (
    (
        "czclerk",
        FeedbackKind.SUGGESTION,
        "希望领导日程能直接发布到门户网站",
        "每周都要把领导日程再复制到网站后台发布一遍，容易出错，希望能在系统里一键发布。",
        "/schedules/county/",
        "领导周活动安排",
        FeedbackStatus.DONE,
        "已在 v1.4 中实现：在“领导周活动安排”页面点击“发布到门户网站”即可。",
        0,
        70,
    ),
    (
        "handler",
        FeedbackKind.BUG,
        "审批件列表在手机上看不到灯色",
        "用手机打开审批件列表时，灯色一栏被挤出屏幕，看不到是否快超期。",
        "/supervision/cases/",
        "在办件",
        FeedbackStatus.DONE,
        "感谢反馈，已调整手机版布局，灯色显示在事项名称下方（v1.5）。",
        1,
        45,
    ),
    (
        "clerk",
        FeedbackKind.SUGGESTION,
        "公文办理页面希望增加常用意见",
        "签批意见经常是“同意”“请××阅处”之类，希望能保存常用意见一键填入。",
        "/documents/",
        "公文",
        FeedbackStatus.ACCEPTED,
        "已采纳，计划在下一版本中增加个人常用意见。",
        None,
        12,
    ),
    (
        "window",
        FeedbackKind.SUGGESTION,
        "大厅窗口希望能打印受理回执",
        "群众经常要纸质回执，现在只能截图，希望增加打印受理回执的按钮。",
        "/approvals/cases/",
        "审批件",
        FeedbackStatus.DUPLICATE,
        "与此前的意见重复：受理回执已可在审批件页面的“打印”中打印（PDF）。",
        None,
        8,
    ),
    (
        "cgclerk",
        FeedbackKind.SUGGESTION,
        "希望通知能按单位群发短信",
        "乡镇有些同志不常登录电脑，希望重要通知能同时发短信。",
        "/notices/",
        "通知公告",
        FeedbackStatus.DECLINED,
        "暂不采纳：短信渠道由本人在“消息设置”中开启，单位群发短信涉及费用，待县政府办统一研究。",
        None,
        5,
    ),
    (
        "czclerk",
        FeedbackKind.BUG,
        "导出的考勤表文件名乱码",
        "用老版本浏览器导出会议考勤表时，文件名显示为 export.xlsx。",
        "/meetings/",
        "会议",
        FeedbackStatus.NEW,
        "",
        None,
        1,
    ),
)


def seed(ctx: DemoContext) -> str:
    from tongban.orgs.demo import COUNTY_CODE

    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return "意见建议：没有演示县"
    effect.costs_for(county)
    kaohe = User.objects.filter(username="kaohe").first()
    today = timezone.localdate()
    new_entries = new_items = 0
    with transaction.atomic():
        entries = []
        for version, ago, title, body in CHANGELOG:
            entry = ChangelogEntry.objects.filter(title=title).first()
            if entry is None:
                entry = ChangelogEntry.objects.create(
                    title=title,
                    body=body,
                    version=version,
                    released_on=today - timedelta(days=ago),
                    published=True,
                    created_by=kaohe,
                )
                new_entries += 1
            entries.append(entry)
        users = {u.username: u for u in User.objects.filter(username__in={f[0] for f in FEEDBACK})}
        for author, kind, title, body, page, page_title, status, answer, log, ago in FEEDBACK:
            user = users.get(author)
            if user is None or Feedback.objects.filter(title=title, author=user).exists():
                continue
            fb = Feedback.objects.create(
                author=user,
                unit=user_primary_unit(user),
                kind=kind,
                title=title,
                body=body,
                page_url=page,
                page_title=page_title,
                status=status,
                answer=answer,
                answered_by=kaohe if answer else None,
                answered_at=timezone.now() - timedelta(days=max(ago - 2, 0)) if answer else None,
                changelog=entries[log] if log is not None else None,
            )
            Feedback.objects.filter(pk=fb.pk).update(created_at=timezone.now() - timedelta(days=ago))
            new_items += 1
    total = Feedback.objects.count()
    return (
        f"意见建议：{total} 条意见（新增 {new_items}），更新日志 {len(entries)} 条（新增 {new_entries}）"
        "（/stats/feedback/manage/，kaohe）"
    )
