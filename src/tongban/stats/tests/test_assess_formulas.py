"""The formula language: what it accepts, what it refuses (with a Chinese message naming the
problem), how it reads in words, division by zero; and that a refused formula saves nothing, on the
page and through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongban.stats import formulas
from tongban.stats.formulas import FormulaError
from tongban.stats.models import Indicator, SchemeStatus
from tongban.stats.tests.test_assess_world import World, build, computed, make_scheme


@pytest.fixture
def world(db: Any) -> World:
    return build()


@pytest.fixture
def scored(world: World) -> World:
    return computed(world)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("active_user_days / (staff * workdays)", ["active_user_days", "staff", "workdays"]),
        ("pct(cases_on_time, cases_closed)", ["cases_closed", "cases_on_time"]),
        ("min(1, docs_handled / max(staff, 1)) * 100", ["docs_handled", "staff"]),
        ("-tasks_overdue + 2.5", ["tasks_overdue"]),
        (
            "100 - pct(letters_answered - letters_on_time, letters_answered)",
            ["letters_answered", "letters_on_time"],
        ),
    ],
)
def test_accepted(text: str, names: list[str]) -> None:
    assert formulas.validate(text) == names


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("foo + 1", "未知的指标数据“foo”"),
        ("staff +", "语法错误"),
        ("(staff", "语法错误"),
        ("", "请填写"),
        ("staff.__class__", "属性访问"),
        ("__import__('os').system('id')", "不支持函数"),
        ("__import__('os')", "不支持函数“__import__”"),
        ("open(1)", "不支持函数“open”"),
        ("staff ** 2", "不支持运算符“**”"),
        ("staff % 2", "不支持运算符“%”"),
        ("staff // 2", "不支持运算符“//”"),
        ("pct(1)", "pct 需要两个参数"),
        ("min(staff)", "至少需要两个参数"),
        ("max(a=1, b=2)", "命名参数"),
        ("'abc'", "只能使用数字"),
        ("True + staff", "只能使用数字"),
        ("staff > 1", "比较"),
        ("staff and 1", "逻辑运算"),
        ("[staff]", "列表"),
        ("lambda: 1", "lambda"),
        ("staff if 1 else 2", "条件表达式"),
        ("staff[0]", "下标"),
        ("1e20 * staff", "过大"),
        ("staff\x00", "语法错误"),
        ("(" * 130 + "staff" + ")" * 130, "过长"),
        ("+".join(["1"] * 120), "过于复杂"),
    ],
)
def test_refused(text: str, words: str) -> None:
    with pytest.raises(FormulaError) as exc:
        formulas.validate(text)
    assert words in str(exc.value) and exc.value.code == "stats.bad_formula" and exc.value.field == "formula"


def test_evaluate_and_division_by_zero() -> None:
    r = formulas.evaluate(
        "active_user_days / (staff * workdays)", {"active_user_days": 168, "staff": 10, "workdays": 21}
    )
    assert r.value == 0.8 and r.notes == []
    r = formulas.evaluate("pct(cases_on_time, cases_closed)", {"cases_on_time": 0, "cases_closed": 0})
    assert r.value == 0 and r.notes == ["除数“办结审批件数”为零，按 0 计"]
    assert formulas.evaluate("min(3, max(1, 2)) - -1", {}).value == 3
    assert formulas.evaluate("pct(1, 3)", {}).value == pytest.approx(33.333333)


def test_in_words() -> None:
    assert formulas.describe("active_user_days / (staff * workdays)") == "活跃人日 ÷ （在岗人数 × 工作日数）"
    assert formulas.describe("pct(cases_on_time, cases_closed)") == "按时办结审批件数 ÷ 办结审批件数 × 100%"
    assert formulas.describe("min(1, staff)") == "较小值（1，在岗人数）"
    assert formulas.normalise("staff*2") == "staff * 2"


def test_page_refuses_bad_formula_and_saves_nothing(client: Client, world: World) -> None:
    draft = make_scheme(world, status=SchemeStatus.DRAFT)
    before = Indicator.objects.filter(scheme=draft).count()
    client.force_login(world.users["kaohe"])
    url = reverse("stats_assess:indicator_new", args=[draft.pk])
    r = client.post(
        url,
        {
            "name": "坏指标",
            "formula": "staff.__class__",
            "weight": "10",
            "target": "1",
            "higher_is_better": "1",
        },
    )
    assert r.status_code == 200 and "属性访问" in r.content.decode()
    r = client.post(
        url,
        {"name": "坏指标", "formula": "foo / staff", "weight": "10", "target": "1", "higher_is_better": "1"},
    )
    assert "未知的指标数据“foo”" in r.content.decode()
    assert Indicator.objects.filter(scheme=draft).count() == before
    # the catalogue is shown beside the formula
    assert "active_user_days" in client.get(url).content.decode()


def test_api_refuses_bad_formula_and_saves_nothing(client: Client, world: World) -> None:
    draft = make_scheme(world, status=SchemeStatus.DRAFT)
    before = Indicator.objects.count()
    client.force_login(world.users["kaohe"])
    url = f"/api/v1/stats/schemes/{draft.pk}/indicators"
    for bad in ("__import__('os')", "staff ** 2", "nope", "staff +"):
        r = client.post(
            url, {"name": "x", "formula": bad, "weight": 10, "target": 1}, content_type="application/json"
        )
        assert r.status_code == 400 and r.json()["code"] == "stats.bad_formula", bad
    assert Indicator.objects.count() == before
    r = client.post(
        url,
        {"name": "人均办文", "formula": "docs_handled/staff", "weight": 10, "target": 4},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["formula"] == "docs_handled / staff"
    assert r.json()["formula_words"] == "办理公文数 ÷ 在岗人数"
