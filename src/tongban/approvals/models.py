"""Online administrative approval (网上行政审批): the service catalogue (事项), cases (办件), their
materials, written notices to the applicant, decisions and certificates, and the clock's events.

Rules encoded here and in :mod:`tongban.approvals.clock` (rules.md §3, 行政许可法):
- 事项 elements (name, code, type, competent department, implementing unit, legal basis,
  conditions, materials, fees, place, hours, phone, steps with their own limits, 主项 → 子项 →
  新设/变更/延续/注销); committed limit ≤ statutory limit (a database constraint, too).
- A case keeps the item version it was filed under (:attr:`Case.version`, PROTECT).
- Every clock event is a :class:`CaseEvent` row; the dates on :class:`Case` marked "clock cache"
  are recomputed from the events and the working-day calendar by ``clock.refresh_case`` after every
  event, never typed (ARCHITECTURE.md, "data that must never be lost or wrong")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.identity.models import PublicAccount
from tongban.orgs.models import County, Unit


class ItemType(models.TextChoices):
    LICENSE = "license", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    RULING = "ruling", _("行政裁决")
    REWARD = "reward", _("行政奖励")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class Variant(models.TextChoices):
    NONE = "", _("—")
    NEW = "new", _("新设")
    CHANGE = "change", _("变更")
    RENEW = "renew", _("延续")
    CANCEL = "cancel", _("注销")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("未发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已停用")


class ServiceItem(models.Model):
    """A 事项: its stable code and place in the tree (主项 → 子项). What it says lives in its
    versions; ``current`` is the published version new cases are filed under."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    code = models.CharField(_("事项编码"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("主项"),
    )
    variant = models.CharField(_("业务办理项"), max_length=8, choices=Variant.choices, default="", blank=True)
    department = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="service_items", verbose_name=_("主管部门")
    )
    status = models.CharField(_("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    current = models.ForeignKey(
        "ItemVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现行版本"),
    )
    # Copied from the current version on publication: list pages and search need no join.
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=16, choices=ItemType.choices)
    search_text = models.TextField(_("检索文本"), blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["department_id", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="approvals_item_code_unique")]
        indexes = [models.Index(fields=["county", "status", "department"])]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待发布")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替代")
    RETURNED = "returned", _("退回修改")


class ItemVersion(models.Model):
    """One version of what an item says. A department drafts it and submits it; the county
    approval office (事项管理员) publishes it. A published version is never changed again: a
    change is a new version, and cases keep the version they were filed under."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="versions", verbose_name=_("事项")
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=16, choices=ItemType.choices)
    implementing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("实施主体")
    )
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"), blank=True)
    place = models.CharField(_("办理地点"), max_length=200, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=64, blank=True)
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    committed_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    joint = models.BooleanField(_("联合办理"), default=False)  # Art. 42 ¶2: 45 + 15
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    online = models.BooleanField(_("可网上申请"), default=True)
    fee_free = models.BooleanField(_("不收费"), default=True)
    certificate_name = models.CharField(_("证照名称"), max_length=100, blank=True)
    certificate_valid_years = models.PositiveSmallIntegerField(_("证照有效期（年）"), null=True, blank=True)
    process_key = models.CharField(_("办理流程"), max_length=64, default="approval-standard")
    # [{"key": "business_name", "label": "经营者名称", "type": "text"|"textarea"|"date"|"number"|"select",
    #   "required": true, "choices": ["…"]}]
    form_schema = models.JSONField(_("申请表字段"), default=list, blank=True)
    note = models.TextField(_("修改说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="approvals_version_unique"),
            # rules.md §3: 承诺时限 ≤ 法定时限.
            models.CheckConstraint(
                condition=models.Q(committed_limit__lte=models.F("statutory_limit")),
                name="approvals_version_committed_le_statutory",
            ),
            models.CheckConstraint(
                condition=models.Q(committed_limit__gt=0), name="approvals_version_committed_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ELECTRONIC = "electronic", _("电子材料")


class ItemMaterial(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(
        _("材料形式"), max_length=12, choices=MaterialForm.choices, default=MaterialForm.ELECTRONIC
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    required = models.BooleanField(_("必需"), default=True)
    note = models.CharField(_("填写说明"), max_length=300, blank=True)
    sample = models.FileField(_("示范文本"), upload_to="approvals/samples/%Y/", blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version_id", "sort", "id"]

    def __str__(self) -> str:
        return self.name


class ItemFee(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=200)
    amount = models.DecimalField(_("收费标准（元）"), max_digits=12, decimal_places=2)
    basis = models.TextField(_("收费依据"))
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["version_id", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class ItemStep(models.Model):
    """A step of the item's process: ``key`` is the user task's id in the BPMN definition named
    by ``ItemVersion.process_key``; ``limit`` its own limit in working days; ``counts`` whether it
    counts toward the decision's total (the counted steps' limits add up to at most the committed
    limit). 制证/送达 after the decision does not count: it has its own clock (Art. 44)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(_("环节标识"), max_length=64)
    name = models.CharField(_("环节名称"), max_length=64)
    limit = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    counts = models.BooleanField(_("计入总时限"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["version_id", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="approvals_step_unique")]

    def __str__(self) -> str:
        return self.name


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人或其他组织")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    COUNTER = "counter", _("窗口代办")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    SUPPLEMENT = "supplement", _("待补正")
    ACCEPTED = "accepted", _("办理中")
    PAUSED = "paused", _("挂起")
    DECIDED = "decided", _("已决定待制证")
    COMPLETED = "completed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.SUPPLEMENT,
    CaseStatus.ACCEPTED,
    CaseStatus.PAUSED,
    CaseStatus.DECIDED,
)


class ClockState(models.TextChoices):
    PRE_ACCEPTANCE = "pre_acceptance", _("受理审查")
    SUPPLEMENT = "supplement", _("等待补正（不计时）")
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("挂起（不计时）")
    CERTIFICATE = "certificate", _("制证送达")
    STOPPED = "stopped", _("已停止")


class Light(models.TextChoices):
    GREEN = "green", _("正常")
    WARNING = "warning", _("预警")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")
    NONE = "", _("—")


class Decision(models.TextChoices):
    NONE = "", _("—")
    GRANT = "grant", _("准予许可")
    REFUSE = "refuse", _("不予许可")


class Case(models.Model):
    """One application (办件), from receipt to completion. The applicant's details are copied at
    filing (the account may change later; the case must not)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    tracking_no = models.CharField(_("受理编号"), max_length=32, unique=True)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项")
    )
    version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项版本")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("办理单位"))
    # applicant
    account = models.ForeignKey(
        PublicAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("办事账户"),
    )
    applicant_kind = models.CharField(_("申请人类型"), max_length=12, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=128)
    applicant_id_number = models.CharField(_("证件号码"), max_length=32)  # 身份证号 or 统一社会信用代码
    applicant_phone = models.CharField(_("联系电话"), max_length=20)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    applicant_address = models.CharField(_("地址"), max_length=200, blank=True)
    title = models.CharField(_("申请事由"), max_length=200, blank=True)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    channel = models.CharField(_("申请渠道"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代办人员"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    is_open = models.BooleanField(_("在办"), default=True)
    received_at = models.DateTimeField(_("收件时间"))
    decision = models.CharField(_("决定"), max_length=8, choices=Decision.choices, default="", blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    instance = models.ForeignKey(
        "workflow.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前承办人"),
    )
    current_step = models.CharField(_("当前环节"), max_length=64, blank=True)

    # --- clock cache: written only by clock.refresh_case from the events and the calendar -------
    clock_state = models.CharField(
        _("计时状态"), max_length=16, choices=ClockState.choices, default=ClockState.PRE_ACCEPTANCE
    )
    received_on = models.DateField(_("收件日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    preaccept_due = models.DateField(_("受理审查期限"), null=True, blank=True)
    due_committed = models.DateField(_("承诺期限"), null=True, blank=True)
    due_statutory = models.DateField(_("法定期限"), null=True, blank=True)
    cert_due = models.DateField(_("制证送达期限"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("挂起工作日"), default=0)
    extension_days = models.PositiveIntegerField(_("延期工作日"), default=0)
    # The dates the supervision sweep compares "today" with (for the clock now running):
    due_on = models.DateField(_("当前期限"), null=True, blank=True, db_index=True)
    warn_on = models.DateField(_("预警日"), null=True, blank=True)
    yellow_on = models.DateField(_("黄牌日"), null=True, blank=True)
    red_on = models.DateField(_("红牌日"), null=True, blank=True)
    clock_version = models.PositiveIntegerField(default=0)

    # --- supervision: written by the supervision sweep -----------------------------------------
    light = models.CharField(_("灯色"), max_length=8, choices=Light.choices, default=Light.GREEN, blank=True)
    light_since = models.DateTimeField(_("亮灯时间"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The supervision sweep and the dashboards read open cases only: a partial index keeps
            # their work proportional to the open cases, not all cases.
            models.Index(
                fields=["light", "due_on", "received_at", "id"],
                condition=models.Q(is_open=True),
                name="approvals_case_open",
            ),
            models.Index(fields=["unit", "status", "received_at"], name="approvals_case_unit"),
            # The boxes: a unit's (or, for supervisors, the county's) open cases by state and
            # deadline, and its finished cases newest first (bench/bench_cases.py at 1,000,000 cases).
            models.Index(
                fields=["unit", "status", "due_on", "received_at", "id"],
                condition=models.Q(is_open=True),
                name="approvals_case_unit_open",
            ),
            models.Index(
                fields=["county", "status", "due_on", "received_at", "id"],
                condition=models.Q(is_open=True),
                name="approvals_case_county_open",
            ),
            models.Index(
                "unit",
                models.F("completed_at").desc(),
                models.F("id").desc(),
                condition=models.Q(is_open=False),
                name="approvals_case_unit_done",
            ),
            models.Index(
                "county",
                models.F("completed_at").desc(),
                models.F("id").desc(),
                condition=models.Q(is_open=False),
                name="approvals_case_county_done",
            ),
            # The supervision dashboard: the oldest open cases, open cases by department and light.
            models.Index(
                fields=["received_at"], condition=models.Q(is_open=True), name="approvals_case_open_recv"
            ),
            models.Index(
                fields=["unit", "light"], condition=models.Q(is_open=True), name="approvals_case_open_unit"
            ),
            models.Index(fields=["account", "received_at"], name="approvals_case_account"),
            models.Index(fields=["county", "received_at"], name="approvals_case_county"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_no} {self.applicant_name}"


class EventKind(models.TextChoices):
    RECEIVED = "received", _("收件")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("补正告知")
    SUPPLEMENTED = "supplemented", _("申请人补正")
    ACCEPTED = "accepted", _("受理")
    DEEMED_ACCEPTED = "deemed_accepted", _("视为受理")
    REJECTED = "rejected", _("不予受理")
    STEP_STARTED = "step_started", _("环节开始")
    STEP_COMPLETED = "step_completed", _("环节完成")
    PAUSED = "paused", _("挂起")
    RESUMED = "resumed", _("恢复")
    EXTENDED = "extended", _("延期")
    DECIDED = "decided", _("作出决定")
    CERTIFICATE_ISSUED = "certificate_issued", _("制证送达")
    COMPLETED = "completed", _("办结")
    WITHDRAWN = "withdrawn", _("撤回")


class CaseEvent(models.Model):
    """One clock event, appended and never changed. ``on`` is the local calendar date the clock
    counts from; ``data`` carries what the event needs (reason, expected days, extension days,
    step key and limit…)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=128, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办件事件")
        verbose_name_plural = _("办件事件")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="approvals_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"


class CaseMaterial(models.Model):
    """A file the applicant (or the counter) handed in. ``round`` 0 is the application, 1… the
    supplements. Checked on upload by type, size and name (tongban.core.files)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        ItemMaterial, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    round = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="approvals/cases/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料文件")
        verbose_name_plural = _("申请材料文件")
        ordering = ["case_id", "round", "id"]

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    RECEIPT = "receipt", _("收件回执")
    ACCEPTANCE = "acceptance", _("受理通知书")
    REJECTION = "rejection", _("不予受理通知书")
    SUPPLEMENT = "supplement", _("补正材料告知书")
    PAUSE = "pause", _("特别程序告知书")
    RESUME = "resume", _("恢复办理告知书")
    EXTENSION = "extension", _("延长审批期限告知书")
    GRANT = "grant", _("准予行政许可决定书")
    REFUSAL = "refusal", _("不予行政许可决定书")
    CERTIFICATE = "certificate", _("证照送达通知")


class CaseNotice(models.Model):
    """A written notice to the applicant (every one the law requires: 受理、不予受理、补正、
    Art. 45 special procedure、延期、决定). The applicant sees all of them on the case page; each
    is also sent by SMS. ``pdf`` is the unit-sealed PDF, made when first downloaded or at issue."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书类型"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to="approvals/notices/%Y/%m/", blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("告知文书")
        verbose_name_plural = _("告知文书")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.title


class SupplementRequest(models.Model):
    """One 补正告知 (Art. 32: one notice listing everything that is missing)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplements")
    materials = models.ManyToManyField(
        ItemMaterial, blank=True, related_name="+", verbose_name=_("需补正材料")
    )
    items_text = models.TextField(_("需补正内容"))
    late_reason = models.TextField(_("逾期或再次补正理由"), blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(_("补正说明"), blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class RejectReason(models.TextChoices):
    NOT_NEEDED = "not_needed", _("申请事项依法不需要取得行政许可")
    NOT_COMPETENT = "not_competent", _("申请事项依法不属于本行政机关职权范围")
    NOT_ELIGIBLE = "not_eligible", _("申请人不具备申请资格")
    FALSE_MATERIALS = "false_materials", _("申请人隐瞒有关情况或者提供虚假材料")
    NOT_SUPPLEMENTED = "not_supplemented", _("申请人未按要求补正全部材料")
    OTHER = "other", _("其他法定情形")


class PauseReason(models.TextChoices):
    """行政许可法第四十五条: the only lawful reasons a clock stops."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class ExtensionRequest(models.Model):
    """延期 (Art. 42): once per case, up to 10 working days (15 for joint handling), approved by
    the unit head; the reason is told to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class CaseFee(models.Model):
    """A fee charged on the case. One whose name or amount is not in the item's fee list is an
    irregular fee (rules.md §4) and the supervision records it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    charged_at = models.DateTimeField()
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("收费记录")
        verbose_name_plural = _("收费记录")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Certificate(models.Model):
    """The electronic certificate (电子证照): a PDF sealed with the implementing unit's seal."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("证照编号"), max_length=64, unique=True)
    name = models.CharField(_("证照名称"), max_length=100)
    holder = models.CharField(_("持证者"), max_length=128)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    pdf = models.FileField(upload_to="approvals/certificates/%Y/")
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")

    def __str__(self) -> str:
        return self.number


class TrackingCounter(models.Model):
    """受理编号 serials, one row per county and day, incremented under a row lock."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "key"], name="approvals_counter_unique")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class RatingLevel(models.IntegerChoices):
    """好差评 (国办发〔2019〕51号; GB/T 39734-2020): five levels."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class CaseRating(models.Model):
    """The applicant's one rating of a finished case, with the four online criteria (each 1–5).
    A rating of 不满意 or 非常不满意 is bad: the supervision opens a follow-up for the department."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("总体评价"), choices=RatingLevel.choices)
    efficiency = models.PositiveSmallIntegerField(_("办事效率"))
    guide_accuracy = models.PositiveSmallIntegerField(_("办事指南精确度"))
    convenience = models.PositiveSmallIntegerField(_("办事便捷度"))
    operability = models.PositiveSmallIntegerField(_("平台操作性"))
    comment = models.TextField(_("评价意见"), blank=True)
    named = models.BooleanField(_("实名评价"), default=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办件评价")
        verbose_name_plural = _("办件评价")
        indexes = [models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_bad(self) -> bool:
        return self.level <= RatingLevel.DISSATISFIED


class ClockPolicy(models.Model):
    """The county's supervision thresholds (rules.md §4, marked [local]): one row, id 1. Changing
    it recomputes the dates of every open case (clock.refresh_open_cases)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    warn_days = models.PositiveSmallIntegerField(_("预警提前工作日"), default=2)
    rectify_days = models.PositiveSmallIntegerField(_("黄牌整改期限（工作日）"), default=3)
    rating_followup_days = models.PositiveSmallIntegerField(_("差评整改反馈期限（工作日）"), default=5)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("监察时限设置")
        verbose_name_plural = _("监察时限设置")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
