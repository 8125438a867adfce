"""Process definitions: validation of uploaded BPMN, versions, and the defaults shipped by domains.

Validation (notes-spiffworkflow.md §3), in order; every problem is reported in Chinese with the
line number where there is one:

1. XML parsed without entities, network or DTD; a DOCTYPE is refused outright.
2. No ``scriptTask``, no ``spiffworkflow:preScript`` / ``postScript``, no ``serviceTask``.
3. Every condition, timer, loop and completion expression passes :func:`expressions.check`.
4. SpiffWorkflow parses the process (with our parser, which refuses script tasks again).
5. Every user task has an ``assignee`` property naming a registered rule.
6. Every flow node can be reached from a start event.

A new version becomes the active one; running instances keep the version they started with."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree

from tongban.core import audit
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.workflow import engine, expressions, registry
from tongban.workflow.models import ProcessDefinition

logger = logging.getLogger(__name__)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_BYTES = 2 * 1024 * 1024
EXPRESSION_TAGS = (
    "conditionExpression",
    "timeDate",
    "timeDuration",
    "timeCycle",
    "completionCondition",
    "loopCardinality",
    "loopCondition",
    "condition",
)
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "manualTask",
    "task",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "subProcess",
    "callActivity",
    "sendTask",
    "receiveTask",
)
ALLOWED_ACTIONS = {"return", "transfer", "withdraw", "add_signer", "cc", "urge"}


@dataclass
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line:
            return _("第 %(line)s 行：%(message)s") % {"line": self.line, "message": self.message}
        return self.message


@dataclass
class Checked:
    process_id: str
    name: str
    xml: str


class InvalidDefinition(TongbanError):
    def __init__(self, problems: list[Problem]):
        super().__init__(
            "workflow.invalid_definition",
            _("流程定义未通过校验：%(problems)s") % {"problems": "；".join(str(p) for p in problems)},
            field="bpmn",
        )
        self.problems = problems


def _q(tag: str, ns: str = BPMN_NS) -> str:
    return f"{{{ns}}}{tag}"


def validate(data: bytes | str, *, process_id: str | None = None) -> Checked:
    """Check uploaded BPMN; raise :class:`InvalidDefinition` listing every problem found."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise InvalidDefinition([Problem(None, _("文件过大（上限 2 MB）。"))])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidDefinition(
            [Problem(getattr(exc, "lineno", None), _("不是有效的 XML：%(e)s") % {"e": exc})]
        ) from None
    problems: list[Problem] = []
    if root.getroottree().docinfo.internalDTD is not None or b"<!DOCTYPE" in raw.upper():
        raise InvalidDefinition([Problem(1, _("不允许包含 DOCTYPE 声明。"))])
    if root.tag != _q("definitions"):
        raise InvalidDefinition([Problem(root.sourceline, _("根元素必须是 bpmn:definitions。"))])

    for el in root.iter(_q("scriptTask")):
        problems.append(Problem(el.sourceline, _("不允许脚本任务（%(id)s）。") % {"id": el.get("id", "")}))
    for tag in ("preScript", "postScript"):
        for el in root.iter(_q(tag, SPIFF_NS)):
            problems.append(Problem(el.sourceline, _("不允许前置/后置脚本（%(tag)s）。") % {"tag": tag}))
    for el in root.iter(_q("serviceTask")):
        problems.append(Problem(el.sourceline, _("不允许服务任务（%(id)s）。") % {"id": el.get("id", "")}))
    for tag in EXPRESSION_TAGS:
        for el in root.iter(_q(tag)):
            text = (el.text or "").strip()
            if not text:
                continue
            try:
                expressions.check(text)
            except expressions.UnsafeExpression as exc:
                problems.append(
                    Problem(
                        el.sourceline, _("表达式“%(expr)s”不被允许：%(e)s") % {"expr": text[:80], "e": exc}
                    )
                )
    processes = [p for p in root.iter(_q("process")) if p.get("isExecutable", "true") != "false"]
    if not processes:
        problems.append(Problem(None, _("没有可执行的流程（bpmn:process）。")))
    if process_id is not None:
        processes = [p for p in processes if p.get("id") == process_id] or processes
    for proc in processes:
        problems.extend(_check_tasks(proc))
        problems.extend(_check_reachable(proc))
    if problems:
        raise InvalidDefinition(problems)

    proc = processes[0]
    pid = proc.get("id", "")
    text = raw.decode("utf-8")
    try:
        engine.parse_spec(raw, pid, "upload.bpmn")
    except Exception as exc:
        line = getattr(exc, "line_number", None) or getattr(exc, "sourceline", None)
        raise InvalidDefinition([Problem(line, _("流程无法解析：%(e)s") % {"e": exc})]) from None
    return Checked(process_id=pid, name=proc.get("name", "") or pid, xml=text)


def _check_tasks(proc: Any) -> list[Problem]:
    problems = []
    for el in proc.iter(_q("userTask")):
        props = {p.get("name"): p.get("value", "") for p in el.iter(_q("property", SPIFF_NS))}
        label = el.get("name") or el.get("id", "")
        rule = props.get("assignee", "")
        if not rule:
            problems.append(
                Problem(el.sourceline, _("用户任务“%(t)s”缺少办理人规则（assignee）。") % {"t": label})
            )
        elif not registry.rule_known(rule):
            problems.append(
                Problem(
                    el.sourceline, _("用户任务“%(t)s”的办理人规则“%(r)s”未注册。") % {"t": label, "r": rule}
                )
            )
        actions = {a.strip() for a in props.get("actions", "").split(",") if a.strip()}
        unknown = actions - ALLOWED_ACTIONS
        if unknown:
            problems.append(
                Problem(
                    el.sourceline,
                    _("用户任务“%(t)s”的操作“%(a)s”未知。") % {"t": label, "a": "、".join(sorted(unknown))},
                )
            )
        due = props.get("due_workdays", "")
        if due and not (due.isdigit() or (due.startswith("data:") and due[5:].isidentifier())):
            problems.append(
                Problem(el.sourceline, _("用户任务“%(t)s”的办理期限须为整数工作日。") % {"t": label})
            )
    return problems


def _check_reachable(proc: Any) -> list[Problem]:
    """Every flow node directly under the process can be reached from a start event (sequence
    flows, plus boundary events attached to a reached activity)."""
    nodes = {}
    for child in proc:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag in FLOW_NODES and child.get("id"):
            nodes[child.get("id")] = (tag, child)
    edges: dict[str, list[str]] = {}
    for flow in proc.iter(_q("sequenceFlow")):
        if flow.getparent() is proc:
            edges.setdefault(flow.get("sourceRef", ""), []).append(flow.get("targetRef", ""))
    for nid, (tag, el) in nodes.items():
        if tag == "boundaryEvent":
            edges.setdefault(el.get("attachedToRef", ""), []).append(nid)
    starts = [nid for nid, (tag, _el) in nodes.items() if tag == "startEvent"]
    problems = []
    if not starts:
        problems.append(Problem(proc.sourceline, _("流程没有开始事件。")))
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in edges.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    for nid, (_tag, el) in nodes.items():
        if nid not in seen:
            problems.append(
                Problem(el.sourceline, _("节点“%(n)s”无法从开始事件到达。") % {"n": el.get("name") or nid})
            )
    return problems


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def definition_upload(
    *, key: str, data: bytes | str, actor: Any, comment: str = "", name: str = "", county: Any = None
) -> ProcessDefinition:
    """A security administrator uploads a new version of process ``key``; it becomes active."""
    if not getattr(actor, "is_security_admin", False):
        raise PermissionDenied("workflow.not_security_admin", _("只有安全管理员可以上传流程定义。"))
    if not ProcessDefinition.objects.filter(key=key).exists() and registry.default_definition(key) is None:
        raise TongbanError("workflow.unknown_key", _("未知的流程：%(key)s") % {"key": key}, field="key")
    checked = validate(data)
    row = _new_version(
        key=key,
        checked=checked,
        name=name or _current_name(key) or checked.name,
        actor=actor,
        comment=comment,
        county=county,
    )
    audit.record(
        "workflow.definition_uploaded",
        actor=actor,
        obj=row,
        new={"key": key, "version": row.version, "sha256": row.sha256},
        message=comment,
    )
    return row


def _current_name(key: str) -> str:
    row = ProcessDefinition.objects.filter(key=key, is_active=True).first()
    return row.name if row else ""


def _new_version(
    *, key: str, checked: Checked, name: str, actor: Any, comment: str, county: Any = None
) -> ProcessDefinition:
    rows = ProcessDefinition.objects.select_for_update().filter(key=key, county=county)
    last = rows.order_by("-version").first()
    rows.filter(is_active=True).update(is_active=False)
    return ProcessDefinition.objects.create(
        county=county,
        key=key,
        version=(last.version + 1) if last else 1,
        name=str(name)[:100],
        process_id=checked.process_id,
        bpmn_xml=checked.xml,
        sha256=_sha(checked.xml),
        is_active=True,
        uploaded_by=actor,
        comment=comment[:200],
    )


def sync_default_definitions(*, keys: list[str] | None = None) -> list[ProcessDefinition]:
    """Load each registered default into ProcessDefinition when missing, or as a new version when
    the shipped file changed since it was last loaded (an administrator's upload is kept active
    unless the shipped file itself changes). Returns the rows created."""
    created = []
    for d in registry.default_definitions():
        if keys is not None and d.key not in keys:
            continue
        try:
            text = d.path.read_text(encoding="utf-8")
        except OSError:
            logger.warning("workflow: default definition %s missing at %s", d.key, d.path)
            continue
        sha = _sha(text)
        with transaction.atomic():
            shipped = ProcessDefinition.objects.filter(key=d.key, county=None, uploaded_by=None)
            if shipped.filter(sha256=sha).exists():
                continue
            try:
                checked = validate(text)
            except InvalidDefinition as exc:
                logger.error("workflow: default definition %s is invalid: %s", d.key, exc)
                continue
            row = _new_version(key=d.key, checked=checked, name=str(d.name), actor=None, comment="default")
            audit.record(
                "workflow.definition_loaded",
                obj=row,
                new={"key": d.key, "version": row.version, "sha256": row.sha256},
                actor_name="system",
            )
            created.append(row)
    return created


_synced: set[str] = set()


def active_definition(key: str, county: Any = None) -> ProcessDefinition:
    """The active version of ``key`` (the county's own, else the general one). The first call for a
    key in a process also loads the shipped file if it changed since the last migrate."""
    if key not in _synced and registry.default_definition(key) is not None:
        sync_default_definitions(keys=[key])
        _synced.add(key)
    qs = ProcessDefinition.objects.filter(key=key, is_active=True)
    row = None
    if county is not None:
        row = qs.filter(county=county).order_by("-version").first()
    if row is None:
        row = qs.filter(county=None).order_by("-version").first()
    if row is None and registry.default_definition(key) is not None:
        sync_default_definitions(keys=[key])
        row = qs.filter(county=None).order_by("-version").first()
    if row is None:
        raise TongbanError("workflow.no_definition", _("流程“%(key)s”尚未定义。") % {"key": key})
    return row


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate handler: load the shipped definitions. Not under tests: ``flush`` between
    transactional tests fires post_migrate too, and its audit rows would land in tests that count
    them; ``active_definition`` loads a default on first use anyway."""
    from django.conf import settings

    if getattr(settings, "TESTING", False):
        return
    try:
        sync_default_definitions()
    except Exception:
        logger.exception("workflow: loading default definitions failed")
