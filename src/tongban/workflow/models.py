"""The process engine's tables: BPMN definitions (versioned), running instances (SpiffWorkflow state
serialised after every step) and the task inbox (``WorkItem``), kept in step with the engine's ready
user tasks so that inbox pages never deserialise a workflow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """One uploaded version of a BPMN process. Running instances keep the version they started with."""

    county = models.ForeignKey(
        "orgs.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("为空表示全省通用的默认流程"),
    )
    key = models.CharField(_("流程标识"), max_length=64)  # e.g. documents.outgoing
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("流程名称"), max_length=100)
    process_id = models.CharField(_("BPMN 流程 ID"), max_length=100)
    bpmn_xml = models.TextField(_("BPMN"))
    sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(_("当前版本"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "key", "version"], name="workflow_definition_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("办理中")
    COMPLETED = "completed", _("已办结")
    CANCELLED = "cancelled", _("已撤销")
    ERROR = "error", _("需管理员处理")


class ProcessInstance(models.Model):
    """A running process about one subject (e.g. a document): ``subject_type`` is the model label
    (``documents.document``), ``subject_id`` its primary key."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    subject_type = models.CharField(max_length=64)
    subject_id = models.PositiveBigIntegerField()
    title = models.CharField(_("标题"), max_length=200)
    starter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starter_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", null=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING
    )
    state_json = models.TextField()  # BpmnWorkflowSerializer output; never accepted from users
    urgency = models.CharField(_("紧急程度"), max_length=4, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("流程实例")
        verbose_name_plural = _("流程实例")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["starter", "-started_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class WorkItemKind(models.TextChoices):
    TASK = "task", _("待办")
    READ = "read", _("待阅")  # 抄送/阅知/传阅: for reading only


class WorkItemStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已办")
    CANCELLED = "cancelled", _("已取消")  # another countersigner vetoed, instance withdrawn, …
    WITHDRAWN = "withdrawn", _("已撤回")


class WorkItem(models.Model):
    """One line of somebody's inbox. ``task_id`` is the SpiffWorkflow task UUID (empty for READ
    items). An open item is assigned to a user, or pooled to holders of ``role`` in ``unit``."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=WorkItemKind.choices, default=WorkItemKind.TASK)
    task_id = models.UUIDField(null=True, blank=True, default=None)
    step = models.CharField(_("环节标识"), max_length=100, blank=True)  # BPMN task id, e.g. office_review
    step_name = models.CharField(_("环节"), max_length=100)  # BPMN task name, e.g. 办公室核稿
    # denormalised from the instance so the inbox is one indexed query
    title = models.CharField(_("标题"), max_length=200)
    subject_type = models.CharField(max_length=64)
    subject_id = models.PositiveBigIntegerField()
    urgency = models.CharField(_("紧急程度"), max_length=4, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="work_items"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=24, blank=True)  # pooled: any holder of role in unit
    delegated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("委托人"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发送人"),
    )
    status = models.CharField(max_length=12, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=16, blank=True)  # submit/return/transfer/…
    opinion = models.TextField(_("意见"), blank=True)
    last_urged_at = models.DateTimeField(null=True, blank=True)
    # 加签: the item that added this signer (every such item must complete before the step does)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signers",
        verbose_name=_("加签来源"),
    )
    # the item whose completion (or transfer/return) opened this one: 撤回 checks these
    source_item = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="opened_items"
    )
    payload = models.JSONField(default=dict, blank=True)  # the case data submitted with the opinion
    reminded = models.CharField(max_length=16, blank=True)  # "", "before", "overdue": deadline reminders sent

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        indexes = [
            models.Index(fields=["assignee", "status", "-created_at"]),
            models.Index(fields=["unit", "role", "status"]),
            models.Index(fields=["completed_by", "-completed_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["status", "due_at"]),
            # the daily usage roll-up (stats) reads one day's completions, readings and deadlines
            models.Index(fields=["completed_at"], name="workflow_item_completed_idx"),
            models.Index(fields=["read_at"], name="workflow_item_read_idx"),
            models.Index(fields=["due_at"], name="workflow_item_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.step_name}: {self.title}"


class Delegation(models.Model):
    """委托: while ``user`` is away, new items for them go to ``delegate``; both names are recorded."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("委托")
        verbose_name_plural = _("委托")
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.delegate_id}"
