"""Citizen interaction (政民互动): the leader and department mailboxes (领导信箱), requests for
government information (依申请公开), online interviews (在线访谈) and solicitations/surveys
(征集调查).

Rules encoded here and in the services (rules.md §5 and §7):
- Letters: types 咨询/投诉/建议/求助, a tracking code, answer limits in working days by type
  (settings.TONGBAN_LETTER_LIMITS: 咨询 3, 投诉/建议 13), a published reply shows 受理日期, 答复日期,
  答复部门, 答复内容 (国办发〔2017〕47号), the rating window is 20 working days and an unrated reply
  counts as satisfied; one request for re-handling.
- Disclosure requests (政府信息公开条例 2019): receipt date (第三十一条), one 补正 notice within 7
  working days that restarts the clock (第三十条), third-party consultation of 15 working days
  excluded from the clock (第三十二条), answer within 20 working days, extendable once by up to 20
  with notice (第三十三条); outcomes and applicant types of 国办公开办函〔2021〕30号; fees of
  国办函〔2020〕109号.
- Every clock event of a letter or a request is an event row; due dates on the rows are a cache
  recomputed from the events and the working-day calendar, never typed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.identity.models import PublicAccount
from tongban.orgs.models import County, Unit

# --- leader and department mailboxes ------------------------------------------------------------


class MailboxKind(models.TextChoices):
    LEADER = "leader", _("领导信箱")
    DEPARTMENT = "department", _("部门信箱")


class Mailbox(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    kind = models.CharField(_("类型"), max_length=12, choices=MailboxKind.choices)
    name = models.CharField(_("信箱名称"), max_length=64)  # 县委书记信箱, 县长信箱, 市场监管局局长信箱
    leader_title = models.CharField(_("领导职务"), max_length=64, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属单位"),
        help_text=_("部门信箱的单位；领导信箱留空，由信箱办公室转办。"),
    )
    intro = models.TextField(_("说明"), blank=True)
    sort = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("信箱")
        verbose_name_plural = _("信箱")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class LetterKind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    HELP = "help", _("求助")


class LetterStatus(models.TextChoices):
    RECEIVED = "received", _("待转办")  # in the mailbox office's queue
    ROUTED = "routed", _("办理中")  # with a department, drafting a reply
    REVIEW = "review", _("待审核")  # the department's draft awaits the office's review
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")  # rated or the rating window passed
    INVALID = "invalid", _("无效信件")  # spam, abuse, duplicates: not counted as a valid message


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Letter(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, related_name="letters", verbose_name=_("信箱")
    )
    tracking_code = models.CharField(_("查询码"), max_length=20, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=LetterKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"))
    writer_name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=20)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("联系地址"), max_length=200, blank=True)
    may_publish = models.BooleanField(_("同意公开"), default=True)
    account = models.ForeignKey(
        PublicAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办事账户"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=LetterStatus.choices, default=LetterStatus.RECEIVED
    )
    received_on = models.DateField(_("受理日期"))
    # clock cache (recomputed from LetterEvent rows and the calendar)
    due_on = models.DateField(_("答复期限"))
    routed_to = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承办单位")
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    reply_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("答复部门")
    )
    reply_content = models.TextField(_("答复内容"), blank=True)
    on_time = models.BooleanField(_("按期答复"), null=True, blank=True)
    is_published = models.BooleanField(_("已公开"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    rating_due_on = models.DateField(_("评价截止日期"), null=True, blank=True)
    rating_defaulted = models.BooleanField(_("默认满意"), default=False)
    rehandle_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("来信")
        verbose_name_plural = _("来信")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "due_on"], name="letter_status_due"),
            models.Index(fields=["county", "is_published", "-answered_on"], name="letter_published"),
            models.Index(fields=["routed_to", "status"], name="letter_routed"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"


class LetterAttachment(models.Model):
    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("来信")
    )
    file = models.FileField(_("文件"), upload_to="letters/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)

    class Meta:
        verbose_name = _("来信附件")
        verbose_name_plural = _("来信附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class LetterEventKind(models.TextChoices):
    RECEIVED = "received", _("受理")
    ROUTED = "routed", _("转办")
    RETURNED_BY_UNIT = "unit_returned", _("承办单位退回")
    DRAFTED = "drafted", _("提交答复稿")
    DRAFT_RETURNED = "draft_returned", _("答复稿退回修改")
    ANSWERED = "answered", _("答复")
    PUBLISHED = "published", _("公开")
    UNPUBLISHED = "unpublished", _("撤销公开")
    REMINDED = "reminded", _("催办")
    RATED = "rated", _("评价")
    RATING_DEFAULTED = "rating_defaulted", _("默认满意")
    REHANDLE = "rehandle", _("申请重办")
    INVALIDATED = "invalidated", _("认定无效")
    CLOSED = "closed", _("办结")


class LetterEvent(models.Model):
    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="events", verbose_name=_("来信")
    )
    kind = models.CharField(_("事件"), max_length=20, choices=LetterEventKind.choices)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("来信事件")
        verbose_name_plural = _("来信事件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.kind} {self.on}"


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审核通过")


class LetterReply(models.Model):
    """A department's draft reply; the mailbox office approves it (then it becomes the answer) or
    returns it with a note."""

    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("来信")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("答复部门"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("拟稿人")
    )
    content = models.TextField(_("答复内容"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("答复稿")
        verbose_name_plural = _("答复稿")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.unit_id} {self.status}"


# --- requests for government information (依申请公开) ------------------------------------------


class ApplicantType(models.TextChoices):
    """The columns of the request table of 国办公开办函〔2021〕30号."""

    PERSON = "person", _("自然人")
    BUSINESS = "business", _("商业企业")
    RESEARCH = "research", _("科研机构")
    CHARITY = "charity", _("社会公益组织")
    LEGAL = "legal", _("法律服务机构")
    OTHER = "other", _("其他")


class RequestChannel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    IN_PERSON = "in_person", _("当面提交")
    MAIL = "mail", _("邮寄")
    FAX = "fax", _("传真")


class ProvisionForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子文档")
    OTHER = "other", _("其他")


class DeliveryMethod(models.TextChoices):
    ONLINE = "online", _("网上获取")
    EMAIL = "email", _("电子邮件")
    POST = "post", _("邮寄")
    PICKUP = "pickup", _("自行领取")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    SUPPLEMENT = "supplement", _("待补正")
    PROCESSING = "processing", _("办理中")
    CONSULTING = "consulting", _("征求第三方意见")
    FEE_PENDING = "fee_pending", _("待缴费")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已终止")  # not pursued: no 补正, fee unpaid, withdrawn


class Outcome(models.TextChoices):
    """The outcome rows (三、本年度办理结果) of 国办公开办函〔2021〕30号."""

    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开")
    REFUSED = "refused", _("不予公开")
    UNAVAILABLE = "unavailable", _("无法提供")
    NOT_PROCESSED = "not_processed", _("不予处理")
    OTHER = "other", _("其他处理")


class DisclosureRequest(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    tracking_code = models.CharField(_("申请编号"), max_length=24, unique=True)
    organ = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理机关"))
    applicant_type = models.CharField(_("申请人类型"), max_length=12, choices=ApplicantType.choices)
    name = models.CharField(_("申请人"), max_length=128)  # person's name or organisation name
    id_type = models.CharField(_("证件类型"), max_length=24, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32)  # 身份证号 or 统一社会信用代码
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    description = models.TextField(_("所需政府信息的名称、文号或便于查询的其他特征性描述"))
    purpose = models.TextField(_("用途（选填）"), blank=True)
    provision_form = models.CharField(
        _("提供形式"), max_length=12, choices=ProvisionForm.choices, default=ProvisionForm.ELECTRONIC
    )
    delivery_method = models.CharField(
        _("获取方式"), max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.ONLINE
    )
    channel = models.CharField(_("申请方式"), max_length=12, choices=RequestChannel.choices)
    account = models.ForeignKey(
        PublicAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办事账户"),
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    received_on = models.DateField(_("收到申请日期"))  # 第三十一条
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    # clock cache (recomputed from DisclosureEvent rows and the calendar)
    clock_start_on = models.DateField(_("计时起点"))
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    supplement_due_on = models.DateField(_("补正告知期限"), null=True, blank=True)
    extended = models.BooleanField(_("已延期"), default=False)
    # the answer
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(_("具体情形"), max_length=32, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按期答复"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办人"),
    )
    # fees (国办函〔2020〕109号): one method a request
    fee_method = models.CharField(_("计费方式"), max_length=12, blank=True)  # "request" / "page"
    fee_pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    fee_amount = models.DecimalField(_("信息处理费"), max_digits=10, decimal_places=2, default=0)
    fee_paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "due_on"], name="disclosure_status_due"),
            models.Index(fields=["organ", "status"], name="disclosure_organ_status"),
            models.Index(fields=["county", "received_on"], name="disclosure_received"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.name}"


class DisclosureEventKind(models.TextChoices):
    RECEIVED = "received", _("收到申请")
    SUPPLEMENT_ASKED = "supplement_asked", _("补正告知")
    SUPPLEMENTED = "supplemented", _("申请人补正")
    SUPPLEMENT_LAPSED = "supplement_lapsed", _("逾期未补正")
    CONSULT_STARTED = "consult_started", _("征求第三方意见")
    CONSULT_ENDED = "consult_ended", _("第三方意见返回")
    EXTENDED = "extended", _("延长答复期限")
    FEE_NOTICE = "fee_notice", _("收费通知")
    FEE_PAID = "fee_paid", _("缴费")
    FEE_LAPSED = "fee_lapsed", _("逾期未缴费")
    ANSWERED = "answered", _("答复")
    WITHDRAWN = "withdrawn", _("申请人撤回")
    NOTE = "note", _("办理记录")


class DisclosureEvent(models.Model):
    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("申请")
    )
    kind = models.CharField(_("事件"), max_length=20, choices=DisclosureEventKind.choices)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("公开申请事件")
        verbose_name_plural = _("公开申请事件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.on}"


class DisclosureFile(models.Model):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请材料")
        SUPPLEMENT = "supplement", _("补正材料")
        NOTICE = "notice", _("告知书")
        ANSWER = "answer", _("答复材料")

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="files", verbose_name=_("申请")
    )
    role = models.CharField(_("用途"), max_length=12, choices=Role.choices)
    file = models.FileField(_("文件"), upload_to="disclosure/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公开申请文件")
        verbose_name_plural = _("公开申请文件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


# --- online interviews (在线访谈) --------------------------------------------------------------


class InterviewStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ANNOUNCED = "announced", _("预告")
    LIVE = "live", _("直播中")
    ENDED = "ended", _("已结束")
    PUBLISHED = "published", _("已发布实录")


class Interview(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    title = models.CharField(_("访谈主题"), max_length=100)
    summary = models.TextField(_("访谈简介"))
    host_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("主办单位")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=InterviewStatus.choices, default=InterviewStatus.DRAFT
    )
    announced_at = models.DateTimeField(_("预告时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("实际开始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("实际结束"), null=True, blank=True)
    replies_due_on = models.DateField(_("会后答复期限"), null=True, blank=True)
    transcript_summary = models.TextField(_("访谈综述"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    # bumped on every visible change: the live fragment's cache key
    version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("在线访谈")
        verbose_name_plural = _("在线访谈")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class InterviewGuest(models.Model):
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="guests", verbose_name=_("访谈")
    )
    name = models.CharField(_("嘉宾姓名"), max_length=32)
    title = models.CharField(_("职务"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("嘉宾账号"),
    )
    photo = models.ImageField(_("照片"), upload_to="interviews/guests/", blank=True)
    sort = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("访谈嘉宾")
        verbose_name_plural = _("访谈嘉宾")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.title}"


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    ANSWERED = "answered", _("已回答")


class InterviewQuestion(models.Model):
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="questions", verbose_name=_("访谈")
    )
    nickname = models.CharField(_("网友昵称"), max_length=32)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)  # never shown in public
    content = models.TextField(_("问题"))
    is_pre = models.BooleanField(_("预先提问"), default=False)
    account = models.ForeignKey(
        PublicAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办事账户"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=QuestionStatus.choices, default=QuestionStatus.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    answer = models.TextField(_("回答"), blank=True)
    answered_by = models.ForeignKey(
        InterviewGuest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回答嘉宾"),
    )
    answered_at = models.DateTimeField(_("回答时间"), null=True, blank=True)
    answered_live = models.BooleanField(_("现场回答"), default=False)
    created_at = models.DateTimeField(_("提问时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网友提问")
        verbose_name_plural = _("网友提问")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["interview", "status"], name="interview_q_status")]

    def __str__(self) -> str:
        return self.content[:40]


class InterviewPost(models.Model):
    """A line of the live transcript that is not an answer to a question: the host's words, a
    guest's statement (主持人 / 嘉宾)."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="posts", verbose_name=_("访谈")
    )
    speaker = models.CharField(_("发言人"), max_length=64)
    content = models.TextField(_("内容"))
    at = models.DateTimeField(_("时间"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )

    class Meta:
        verbose_name = _("访谈实录")
        verbose_name_plural = _("访谈实录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.content[:40]}"


class InterviewPhoto(models.Model):
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="photos", verbose_name=_("访谈")
    )
    image = models.ImageField(_("图片"), upload_to="interviews/photos/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    sort = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("访谈图片")
        verbose_name_plural = _("访谈图片")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.caption or str(self.pk)


# --- solicitations and surveys (征集调查) ------------------------------------------------------


class SurveyKind(models.TextChoices):
    SOLICITATION = "solicitation", _("意见征集")  # a draft policy put out for comment
    QUESTIONNAIRE = "questionnaire", _("问卷调查")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")
    REPORTED = "reported", _("已公布结果")


class Survey(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    kind = models.CharField(_("类型"), max_length=16, choices=SurveyKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("说明"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起单位"))
    draft_file = models.FileField(_("征求意见稿"), upload_to="surveys/%Y/", blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    result_summary = models.TextField(_("结果反馈"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("征集调查")
        verbose_name_plural = _("征集调查")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("文字")


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("征集调查")
    )
    text = models.CharField(_("题目"), max_length=200)
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    options = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    sort = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("征集调查")
    )
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    account = models.ForeignKey(
        PublicAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办事账户"),
    )
    client_hash = models.CharField(_("来源摘要"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("答卷")
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("题目")
    )
    choices = models.JSONField(_("选择"), default=list, blank=True)
    text = models.TextField(_("回答"), blank=True)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.response_id} {self.question_id}"
