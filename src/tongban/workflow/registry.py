"""What other domains plug into the process engine (call these in ``AppConfig.ready()``).

- :func:`register_default_definition`: a BPMN file shipped with a domain; loaded into
  ``ProcessDefinition`` by ``definitions.sync_default_definitions()`` (after migrate and lazily
  on the first ``instance_start``).
- :func:`register_subject`: how an instance's subject (e.g. a document) is linked from the inbox.
- :func:`register_assignee_rule`: a rule name usable in a user task's ``assignee`` property.
- :func:`register_listener`: called inside the engine's transaction on ``item_opened``,
  ``item_done``, ``item_returned``, ``instance_completed``, ``instance_cancelled`` (listeners must
  ignore events they do not know). A listener registered under ``key`` receives the events of
  instances whose ``subject_type`` or definition key equals ``key``; ``"*"`` receives all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DefaultDefinition:
    key: str
    name: Any
    path: Path


@dataclass(frozen=True)
class Subject:
    subject_type: str
    url: Callable[[int], str]
    label: Any = ""


@dataclass(frozen=True)
class Assignee:
    """Who an item goes to: a user, or pooled to the holders of ``role`` in ``unit``."""

    user: Any = None
    unit: Any = None
    role: str = ""

    def __post_init__(self) -> None:
        if self.user is None and not (self.unit is not None and self.role):
            raise ValueError("an assignee is a user, or a unit with a role")


@dataclass
class RuleContext:
    """What an assignee rule sees: the rule's argument (``role:office_head`` → ``"office_head"``),
    the instance (starter, starter_unit, county), the ready task's data (case data, with the
    multi-instance element under the loop's ``inputDataItem`` name), the step and, for the
    multi-instance child, ``mi_item`` (the element of the list this child handles)."""

    arg: str
    instance: Any
    data: dict[str, Any]
    step: str
    step_name: str = ""
    mi_item: Any = None
    mi_var: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    previous_item: Any = None  # the item whose completion opened this step, if any


AssigneeRule = Callable[[RuleContext], list[Assignee]]
Listener = Callable[[str, Any, Any], None]

_DEFINITIONS: dict[str, DefaultDefinition] = {}
_SUBJECTS: dict[str, Subject] = {}
_RULES: dict[str, AssigneeRule] = {}
_LISTENERS: dict[str, Listener] = {}


def register_default_definition(*, key: str, name: Any, path: Path | str) -> None:
    _DEFINITIONS[key] = DefaultDefinition(key=key, name=name, path=Path(path))


def default_definitions() -> list[DefaultDefinition]:
    return sorted(_DEFINITIONS.values(), key=lambda d: d.key)


def default_definition(key: str) -> DefaultDefinition | None:
    return _DEFINITIONS.get(key)


def register_subject(*, subject_type: str, url: Callable[[int], str], label: Any = "") -> None:
    _SUBJECTS[subject_type] = Subject(subject_type=subject_type, url=url, label=label)


def subject(subject_type: str) -> Subject | None:
    return _SUBJECTS.get(subject_type)


def subject_url(subject_type: str, subject_id: int) -> str:
    s = _SUBJECTS.get(subject_type)
    if s is None:
        return ""
    try:
        return s.url(subject_id)
    except Exception:
        return ""


def subject_label(subject_type: str) -> Any:
    s = _SUBJECTS.get(subject_type)
    return s.label if s is not None else ""


def register_assignee_rule(name: str, fn: AssigneeRule) -> None:
    """``fn(ctx) -> list[Assignee]``. In a BPMN ``assignee`` property the rule is written
    ``name`` or ``name:argument`` (the argument may itself contain colons)."""
    if not name or ":" in name:
        raise ValueError("a rule name is non-empty and has no colon")
    _RULES[name] = fn


def rule(name: str) -> AssigneeRule | None:
    return _RULES.get(name)


def split_rule(text: str) -> tuple[str, str]:
    name, _sep, arg = (text or "").strip().partition(":")
    return name, arg


def rule_known(text: str) -> bool:
    name, _arg = split_rule(text)
    return name in _RULES


def register_listener(key: str, fn: Listener) -> None:
    """``fn(event, instance, item_or_None)``; ``key`` is a subject type, a definition key or ``"*"``.
    Registering under a key already used adds another listener (it never replaces one)."""
    n = 0
    name = key
    while name in _LISTENERS and _LISTENERS[name] is not fn:
        n += 1
        name = f"{key}#{n}"
    _LISTENERS[name] = fn


def listeners_for(instance: Any) -> list[Listener]:
    keys = {"*", instance.subject_type}
    definition_key = getattr(getattr(instance, "definition", None), "key", None)
    if definition_key:
        keys.add(definition_key)
    return [fn for name, fn in _LISTENERS.items() if name.split("#", 1)[0] in keys]
