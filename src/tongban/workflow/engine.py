"""SpiffWorkflow wiring: the safe script engine, a parser without script tasks, the serializer and
one loader. Every workflow object in the application is made or loaded here, so none of them
can run with SpiffWorkflow's default engine (which ``eval``\\ s conditions and ``exec``\\ s
scripts); see notes-spiffworkflow.md §1 and §3."""

from __future__ import annotations

import threading
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ScriptTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import ScriptTask
from SpiffWorkflow.util.task import TaskState

from tongban.workflow import expressions

__all__ = [
    "ENGINE",
    "SERIALIZER",
    "OaBpmnParser",
    "SafeEnvironment",
    "SafeScriptEngine",
    "TaskState",
    "WorkflowException",
    "parse_spec",
    "spec_for",
    "workflow_dump",
    "workflow_load",
    "workflow_new",
]


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Expressions are evaluated by :mod:`tongban.workflow.expressions`; scripts and services never run."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        names = dict(external_context or {})
        names.update(context)  # data objects + task data
        return expressions.evaluate(expression, names)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> Any:
        raise expressions.UnsafeExpression("script execution is disabled")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise expressions.UnsafeExpression("service calls are disabled")


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression: str) -> None:
        expressions.check(expression)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

        raise WorkflowTaskException("Script tasks are disabled", task=task)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

        raise WorkflowTaskException("Service tasks are disabled", task=task)


class NoScriptParser(ScriptTaskParser):
    def create_task(self) -> Any:
        self.raise_validation_exception("Script tasks are not allowed")


class OaBpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser (reads ``spiffworkflow:properties`` into ``task_spec.extensions``) that
    refuses script tasks as a backstop to upload validation."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("scriptTask"): (NoScriptParser, ScriptTask),
    }


ENGINE = SafeScriptEngine()
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

_cache: dict[int, tuple[str, Any]] = {}
_cache_lock = threading.Lock()


def parse_spec(xml: str | bytes, process_id: str, filename: str = "process.bpmn") -> Any:
    """Parse BPMN text and return the spec of ``process_id`` (no cache; use for validation)."""
    from lxml import etree

    parser = OaBpmnParser()
    data = xml.encode() if isinstance(xml, str) else xml
    tree = etree.fromstring(
        data,
        parser=etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False),
    )
    parser.add_bpmn_xml(tree, filename)
    return parser.get_spec(process_id)


def spec_for(definition: Any) -> Any:
    """The parsed spec of a ProcessDefinition, cached by primary key (and checked by hash)."""
    with _cache_lock:
        hit = _cache.get(definition.pk)
    if hit is not None and hit[0] == definition.sha256:
        return hit[1]
    spec = parse_spec(definition.bpmn_xml, definition.process_id, f"{definition.key}.bpmn")
    with _cache_lock:
        _cache[definition.pk] = (definition.sha256, spec)
    return spec


def workflow_new(definition: Any) -> BpmnWorkflow:
    return BpmnWorkflow(spec_for(definition), script_engine=ENGINE)


def workflow_load(state_json: str) -> BpmnWorkflow:
    """Load a serialised workflow (ours, from the database — never JSON from a user) and give it
    the safe engine: deserialising always returns one with SpiffWorkflow's default engine."""
    wf = SERIALIZER.deserialize_json(state_json)
    wf.script_engine = ENGINE
    return wf


def workflow_dump(wf: BpmnWorkflow) -> str:
    return SERIALIZER.serialize_json(wf)


def ready_user_tasks(wf: BpmnWorkflow) -> list[Any]:
    return list(wf.get_tasks(state=TaskState.READY, manual=True))


def properties(task_or_spec: Any) -> dict[str, str]:
    spec = getattr(task_or_spec, "task_spec", task_or_spec)
    return dict((getattr(spec, "extensions", None) or {}).get("properties", {}) or {})
