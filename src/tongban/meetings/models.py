"""Meetings (会议) between the county hall and the townships, and the leaders' schedules (日程).

A meeting has a host unit, an organiser, a chair, a time, one or more venues (会场: the county hall
and the township venues, rooms with a capacity), agenda items with presenters and materials, and
invitations: to units (each confirms who attends by a deadline: 参会回执) and to named people. Its
type is in person, video or both. Video runs through a Janus VideoRoom created for the meeting; the
room's secret never leaves the server, and each attendee joins with a ticket (a token in the room's
``allowed`` list) that only an invited, admitted person receives.

Every notice, confirmation, sign-in and live action (mute, video off, admit, remove, main venue,
recording) is stored as a ``MeetingEvent`` row, so the record of a meeting can be rebuilt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.orgs.models import County, Unit

# --- venues --------------------------------------------------------------------------------------


class Venue(models.Model):
    """A meeting room (会场): the county hall's rooms and each township's video room. A venue with
    a ``terminal`` is a staff account signed in on the room's big screen; it joins video meetings
    held in that venue as one site (分会场)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="venues", verbose_name=_("所属单位")
    )
    name = models.CharField(_("会场名称"), max_length=64)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    has_video = models.BooleanField(_("视频会议终端"), default=False)
    terminal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="terminal_venues",
        verbose_name=_("会场终端账号"),
    )
    sort = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("会场")
        verbose_name_plural = _("会场")
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="meetings_venue_name_unique")]

    def __str__(self) -> str:
        return self.name


# --- meetings ------------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    IN_PERSON = "in_person", _("现场会议")
    VIDEO = "video", _("视频会议")
    BOTH = "both", _("现场+视频")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NOTIFIED = "notified", _("已通知")
    LIVE = "live", _("进行中")
    ENDED = "ended", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Meeting(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    title = models.CharField(_("会议名称"), max_length=200)
    kind = models.CharField(
        _("会议形式"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.BOTH
    )
    host_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="hosted_meetings", verbose_name=_("主办单位")
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("会务联系人")
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        verbose_name=_("主持人"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    summary = models.TextField(_("会议内容"), blank=True)
    requirements = models.TextField(_("参会要求"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT, db_index=True
    )
    confirm_deadline = models.DateTimeField(_("回执截止时间"), null=True, blank=True)
    late_after_minutes = models.PositiveIntegerField(_("迟到判定（分钟）"), default=0)
    needs_admission = models.BooleanField(
        _("入会须主持人准入"), default=False, help_text=_("开启后，参会人进入视频会议前须经主持人准入。")
    )
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    cancelled_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Sign-in (签到): the QR code carries a signed link built from this key; rotating it voids old codes.
    signin_key = models.CharField(_("签到码密钥"), max_length=64, blank=True)
    # Video (Janus VideoRoom). The room's secret stays on the server.
    janus_room = models.BigIntegerField(_("视频会议室号"), null=True, blank=True, unique=True)
    janus_secret = models.CharField(_("会议室管理密钥"), max_length=64, blank=True)
    janus_pin = models.CharField(_("会议室口令"), max_length=32, blank=True)
    room_created_at = models.DateTimeField(_("会议室创建时间"), null=True, blank=True)
    room_destroyed_at = models.DateTimeField(_("会议室关闭时间"), null=True, blank=True)
    main_attendee = models.ForeignKey(
        "meetings.Attendee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主画面会场"),
    )
    recording = models.BooleanField(_("正在录制"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["county", "starts_at"]),
            models.Index(fields=["host_unit", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetings_meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_video(self) -> bool:
        return self.kind in (MeetingKind.VIDEO, MeetingKind.BOTH)


class MeetingVenue(models.Model):
    """A venue used by a meeting; one is the main venue (主会场), the others are 分会场."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="venue_links", verbose_name=_("会议")
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="meeting_links", verbose_name=_("会场")
    )
    is_main = models.BooleanField(_("主会场"), default=False)

    class Meta:
        verbose_name = _("会议会场")
        verbose_name_plural = _("会议会场")
        ordering = ["-is_main", "venue__sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "venue"], name="meetings_meetingvenue_unique"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(is_main=True), name="meetings_one_main_venue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} @ {self.venue}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("会议")
    )
    order = models.PositiveIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("汇报人"),
    )
    presenter_name = models.CharField(_("汇报人（外单位）"), max_length=64, blank=True)
    minutes = models.PositiveIntegerField(_("时长（分钟）"), default=0)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["meeting_id", "order", "id"]

    def __str__(self) -> str:
        return self.title


class MeetingMaterial(models.Model):
    """A material (会议材料) for the meeting or one agenda item; visible to invitees only."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="materials", verbose_name=_("会议")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("议题"),
    )
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="meetings/materials/%Y/%m/")
    size = models.PositiveIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.name


class ConfirmStatus(models.TextChoices):
    PENDING = "pending", _("待回执")
    CONFIRMED = "confirmed", _("已回执")


class Invitation(models.Model):
    """An invited unit. The unit confirms who attends (参会回执) by the meeting's deadline."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("会议")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("参会单位"))
    seats = models.PositiveIntegerField(_("参会名额"), default=1)
    status = models.CharField(
        _("回执状态"), max_length=12, choices=ConfirmStatus.choices, default=ConfirmStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回执人"),
    )
    confirmed_at = models.DateTimeField(_("回执时间"), null=True, blank=True)
    note = models.CharField(_("回执说明"), max_length=200, blank=True)
    reminders_sent = models.PositiveIntegerField(_("催报次数"), default=0)
    last_reminded_at = models.DateTimeField(_("最近催报"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        ordering = ["meeting_id", "unit__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="meetings_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.meeting} ← {self.unit}"


class AttendeeRole(models.TextChoices):
    PARTICIPANT = "participant", _("参会人")
    CHAIR = "chair", _("主持人")
    PRESENTER = "presenter", _("汇报人")
    TERMINAL = "terminal", _("会场终端")
    ORGANISER = "organiser", _("会务人员")


class Reply(models.TextChoices):
    PENDING = "pending", _("待确认")
    ATTEND = "attend", _("参会")
    LEAVE = "leave", _("请假")


class SignMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    ORGANISER = "organiser", _("会务代签")
    VIDEO = "video", _("视频入会")


class Attendee(models.Model):
    """A person (or a venue terminal) expected at the meeting: invited by name, named by an invited
    unit in its 回执, or the terminal of a venue. Holds the reply, the sign-in and the live state."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("会议")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
        verbose_name=_("人员"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendees",
        verbose_name=_("单位回执"),
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("参会会场")
    )
    role = models.CharField(
        _("身份"), max_length=12, choices=AttendeeRole.choices, default=AttendeeRole.PARTICIPANT
    )
    reply = models.CharField(_("回复"), max_length=12, choices=Reply.choices, default=Reply.PENDING)
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    sign_method = models.CharField(_("签到方式"), max_length=12, choices=SignMethod.choices, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代签人"),
    )
    # Live video state (set by the chair's actions and the room's events)
    join_token = models.CharField(_("入会令牌"), max_length=64, blank=True)
    admitted = models.BooleanField(_("已准入"), default=False)
    removed = models.BooleanField(_("已移出"), default=False)
    audio_muted = models.BooleanField(_("已静音"), default=False)
    video_off = models.BooleanField(_("已关闭画面"), default=False)
    janus_feed = models.BigIntegerField(_("视频流编号"), null=True, blank=True)
    janus_mids = models.JSONField(_("媒体流标识"), default=dict, blank=True)  # {"audio": "0", "video": "1"}
    joined_at = models.DateTimeField(_("入会时间"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近在线"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting_id", "unit__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meetings_attendee_unique")]
        indexes = [models.Index(fields=["user", "meeting"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


class MeetingEvent(models.Model):
    """Everything that happened to a meeting, in order: notices, replies, reminders, sign-ins, room
    lifecycle and the chair's actions."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="events", verbose_name=_("会议")
    )
    kind = models.CharField(_("事件"), max_length=32, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    attendee = models.ForeignKey(
        Attendee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("参会人员"),
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["meeting_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind}"

    @property
    def label(self) -> str:
        from tongban.meetings.events import label

        return label(self.kind)


# --- recordings and minutes ---------------------------------------------------------------------


class RecordingStatus(models.TextChoices):
    RECORDING = "recording", _("录制中")
    CONVERTING = "converting", _("转换中")
    READY = "ready", _("可播放")
    FAILED = "failed", _("转换失败")


class Recording(models.Model):
    """One recording session (from the chair's 开始录制 to 停止录制). Janus writes .mjr files per
    stream into ``source_dir``; a background task converts them with janus-pp-rec."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("会议")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录制人")
    )
    started_at = models.DateTimeField(_("开始录制"))
    stopped_at = models.DateTimeField(_("停止录制"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RecordingStatus.choices, default=RecordingStatus.RECORDING
    )
    source_dir = models.CharField(_("原始录制目录"), max_length=500, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("会议录像")
        verbose_name_plural = _("会议录像")
        ordering = ["meeting_id", "started_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting} {self.started_at:%Y-%m-%d %H:%M}"


class RecordingFile(models.Model):
    """A playable file of one site (会场/参会人) in a recording."""

    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, related_name="files", verbose_name=_("录像")
    )
    attendee = models.ForeignKey(
        Attendee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("会场")
    )
    label = models.CharField(_("名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="meetings/recordings/%Y/%m/")
    content_type = models.CharField(_("类型"), max_length=64, default="video/webm")
    size = models.BigIntegerField(_("大小"), default=0)
    duration_seconds = models.FloatField(_("时长（秒）"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("录像文件")
        verbose_name_plural = _("录像文件")
        ordering = ["recording_id", "id"]

    def __str__(self) -> str:
        return self.label


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    IN_DOCUMENTS = "documents", _("已转公文办理")
    SIGNED_PDF = "signed_pdf", _("已签发（PDF）")


class Minutes(models.Model):
    """会议纪要: drafted on the meeting page from the agenda, then issued through the official
    documents flow as a 纪要 (``document``), or kept as a signed PDF on the meeting."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("会议")
    )
    title = models.CharField(_("纪要标题"), max_length=200)
    body_html = models.TextField(_("纪要正文"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("纪要公文"),
    )
    pdf = models.FileField(_("签发PDF"), upload_to="meetings/minutes/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")

    def __str__(self) -> str:
        return self.title


# --- leaders' schedules (日程) --------------------------------------------------------------------


class ScheduleVisibility(models.TextChoices):
    PUBLIC = "public", _("可公开")  # may go on the portal's leader page
    INTERNAL = "internal", _("内部")  # staff with permission
    PRIVATE = "private", _("仅本人及秘书")


class LeaderSecretary(models.Model):
    """A secretary (秘书) who keeps a leader's schedule."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="secretaries", verbose_name=_("领导")
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="leaders_served",
        verbose_name=_("秘书"),
    )

    class Meta:
        verbose_name = _("领导秘书")
        verbose_name_plural = _("领导秘书")
        constraints = [
            models.UniqueConstraint(fields=["leader", "secretary"], name="meetings_secretary_unique")
        ]

    def __str__(self) -> str:
        return f"{self.secretary} → {self.leader}"


class ScheduleEntry(models.Model):
    """One item of a leader's schedule. Entries of meetings come from this module automatically
    (``meeting`` set, kept in step with the meeting); the others are entered by the secretary."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="schedule_entries",
        verbose_name=_("领导"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    title = models.CharField(_("活动内容"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    visibility = models.CharField(
        _("公开范围"), max_length=12, choices=ScheduleVisibility.choices, default=ScheduleVisibility.INTERNAL
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedule_entries",
        verbose_name=_("会议"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("领导日程")
        verbose_name_plural = _("领导日程")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["leader", "starts_at"]), models.Index(fields=["county", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "meeting"],
                condition=Q(meeting__isnull=False),
                name="meetings_entry_one_per_meeting",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetings_entry_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} {self.starts_at:%m-%d %H:%M} {self.title}"


class SchedulePublication(models.Model):
    """领导周活动安排 of one week, published to the portal's leader page: a frozen copy of the
    public entries at the time of publishing."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    week_start = models.DateField(_("周一"))
    table = models.JSONField(_("内容"), default=list)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    published_at = models.DateTimeField(_("发布时间"))
    portal_page_id = models.IntegerField(_("门户页面"), null=True, blank=True)

    class Meta:
        verbose_name = _("领导周活动安排发布")
        verbose_name_plural = _("领导周活动安排发布")
        ordering = ["-week_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "week_start"], name="meetings_publication_week_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.week_start}"
