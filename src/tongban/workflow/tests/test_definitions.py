"""Upload validation (notes §3), versions and the shipped defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tongban.core.errors import PermissionDenied
from tongban.workflow import definitions, engine
from tongban.workflow.definitions import InvalidDefinition
from tongban.workflow.models import ProcessDefinition

BPMN = Path(__file__).parent / "bpmn"
GOOD = (BPMN / "simple.bpmn").read_text()


def _problems(xml: str) -> str:
    with pytest.raises(InvalidDefinition) as exc:
        definitions.validate(xml)
    return str(exc.value.message)


def test_good_definition_passes() -> None:
    checked = definitions.validate(GOOD)
    assert checked.process_id == "wf_test" and checked.name == "测试流程"


def test_doctype_refused() -> None:
    xml = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n' + GOOD.split("\n", 1)[1]
    assert "DOCTYPE" in _problems(xml)


def test_script_task_and_pre_post_scripts_refused_with_line_numbers() -> None:
    xml = GOOD.replace(
        '<bpmn:sequenceFlow id="f6"',
        '<bpmn:scriptTask id="evil" name="x"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>\n'
        '    <bpmn:sequenceFlow id="f6"',
    ).replace(
        '<spiffworkflow:property name="form" value="draft" />',
        '<spiffworkflow:property name="form" value="draft" />\n</spiffworkflow:properties>'
        "<spiffworkflow:preScript>import os</spiffworkflow:preScript><spiffworkflow:properties>",
    )
    message = _problems(xml)
    assert "不允许脚本任务（evil）" in message
    assert "前置/后置脚本" in message
    assert "第 " in message and " 行" in message


def test_bad_expression_refused_at_upload() -> None:
    xml = GOOD.replace("len(countersign_units) &gt; 0", "__import__('os').system('id')")
    message = _problems(xml)
    assert "表达式" in message and "第 " in message


def test_user_task_needs_a_registered_assignee_rule() -> None:
    assert "缺少办理人规则" in _problems(
        GOOD.replace('name="assignee" value="starter"', 'name="x" value="y"')
    )
    assert "未注册" in _problems(GOOD.replace('value="role:office_head"', 'value="nobody:x"'))
    assert "操作" in _problems(GOOD.replace("cc,withdraw,urge", "cc,explode"))


def test_unreachable_node_refused() -> None:
    xml = GOOD.replace(
        '<bpmn:endEvent id="end" />',
        '<bpmn:endEvent id="end" />\n<bpmn:userTask id="island" name="孤岛"><bpmn:extensionElements>'
        '<spiffworkflow:properties><spiffworkflow:property name="assignee" value="starter" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>",
    )
    assert "孤岛" in _problems(xml) and "无法从开始事件到达" in _problems(xml)


def test_not_xml_and_unparsable() -> None:
    assert "不是有效的 XML" in _problems("<bpmn:definitions")
    broken = GOOD.replace('targetRef="review" />', 'targetRef="nowhere" />')
    assert _problems(broken)


def test_parser_backstop_refuses_script_tasks() -> None:
    xml = GOOD.replace(
        '<bpmn:userTask id="sign" name="领导签发">',
        '<bpmn:scriptTask id="sign" name="领导签发"><bpmn:script>1</bpmn:script></bpmn:scriptTask><bpmn:userTask id="sign2" name="x">',
    )
    with pytest.raises(Exception, match="Script tasks are not allowed"):
        engine.parse_spec(xml, "wf_test")


def test_upload_only_by_security_admin_and_creates_version(org: Any) -> None:
    definitions.sync_default_definitions(keys=["test.simple"])
    with pytest.raises(PermissionDenied):
        definitions.definition_upload(key="test.simple", data=GOOD, actor=org.sysadmin)
    with pytest.raises(InvalidDefinition):
        definitions.definition_upload(key="test.simple", data="<x/>", actor=org.secadmin)
    assert ProcessDefinition.objects.filter(key="test.simple").count() == 1
    row = definitions.definition_upload(key="test.simple", data=GOOD, actor=org.secadmin, comment="重传")
    assert row.version == 2 and row.uploaded_by == org.secadmin
    # the shipped file did not change: syncing keeps the administrator's version active
    assert definitions.sync_default_definitions(keys=["test.simple"]) == []
    assert ProcessDefinition.objects.get(key="test.simple", is_active=True).version == 2


def test_sync_is_idempotent(db: Any) -> None:
    # post_migrate loaded them when the test database was built; start from none
    ProcessDefinition.objects.filter(key__in=["test.simple", "test.parallel"]).delete()
    first = definitions.sync_default_definitions(keys=["test.simple", "test.parallel"])
    assert {r.key for r in first} == {"test.simple", "test.parallel"}
    assert definitions.sync_default_definitions(keys=["test.simple", "test.parallel"]) == []


def test_workflow_load_always_reassigns_the_safe_engine(org: Any, start: Any) -> None:
    inst = start()
    wf = engine.workflow_load(inst.state_json)
    assert wf.script_engine is engine.ENGINE
    assert isinstance(wf.script_engine, engine.SafeScriptEngine)
