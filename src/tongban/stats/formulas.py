"""The formula language of assessment indicators.

A formula is an arithmetic expression over the metric names of :mod:`tongban.stats.metrics`::

    active_user_days / (staff * workdays)
    pct(cases_on_time, cases_closed)
    min(1, docs_handled / max(staff, 1))

Allowed: numbers, metric names, ``+ - * /``, parentheses, unary minus, and the functions ``min(a,
b, …)``, ``max(a, b, …)`` and ``pct(a, b)`` (= a ÷ b × 100). Anything else (attributes, other
names or calls, ``**``, comparisons, strings, keyword arguments …) is refused with a Chinese
message naming the problem. The text is parsed with :mod:`ast` and evaluated by walking the tree:
nothing is ever passed to ``eval``. A division by zero gives 0 and a note saying so."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError
from tongban.stats import metrics

MAX_LENGTH = 255
MAX_NODES = 200
FUNCTIONS = {"min", "max", "pct"}
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_WORD_OPS = {ast.Add: "＋", ast.Sub: "－", ast.Mult: "×", ast.Div: "÷"}


class FormulaError(TongbanError):
    """A formula that cannot be used (400; ``field`` is ``formula``)."""

    def __init__(self, message: Any) -> None:
        super().__init__("stats.bad_formula", message, field="formula")


def _names(allowed: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return metrics.METRICS if allowed is None else allowed


def parse(text: str, *, allowed: Mapping[str, Any] | None = None) -> ast.Expression:
    """The checked syntax tree of ``text``; :class:`FormulaError` when anything is not allowed."""
    text = (text or "").strip()
    if not text:
        raise FormulaError(_("请填写计算公式"))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("计算公式过长（最多 %(n)d 个字符）") % {"n": MAX_LENGTH})
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        col = getattr(exc, "offset", None) or 1
        raise FormulaError(
            _("计算公式有语法错误（第 %(col)d 个字符附近）：请检查括号和运算符") % {"col": col}
        ) from exc
    names = _names(allowed)
    for count, node in enumerate(ast.walk(tree), start=1):
        if count > MAX_NODES:
            raise FormulaError(_("计算公式过于复杂"))
        _check(node, names)
    return tree


def _check(node: ast.AST, names: Mapping[str, Any]) -> None:
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in _OPS:
        return
    if isinstance(node, (ast.UAdd, ast.USub)):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPS:
            raise FormulaError(_("不支持运算符“%(op)s”，只能使用 + - * /") % {"op": _op_text(node.op)})
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            raise FormulaError(_("不支持运算符“%(op)s”，只能使用 + - * /") % {"op": _op_text(node.op)})
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(_("公式中只能使用数字，不能使用“%(v)s”") % {"v": repr(node.value)[:20]})
        if abs(node.value) > 1e12:
            raise FormulaError(_("数字“%(v)s”过大") % {"v": node.value})
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            return  # checked as the callee of a Call below
        if node.id not in names:
            raise FormulaError(_("未知的指标数据“%(name)s”：请从右侧的可用数据中选择") % {"name": node.id})
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            callee = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise FormulaError(_("不支持函数“%(f)s”，只能使用 min、max、pct") % {"f": callee[:40]})
        if node.keywords:
            raise FormulaError(_("函数“%(f)s”不接受命名参数") % {"f": node.func.id})
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(_("函数“%(f)s”的参数写法不正确") % {"f": node.func.id})
        n = len(node.args)
        if node.func.id == "pct" and n != 2:
            raise FormulaError(_("函数 pct 需要两个参数：pct(分子, 分母)"))
        if node.func.id in ("min", "max") and n < 2:
            raise FormulaError(_("函数 %(f)s 至少需要两个参数") % {"f": node.func.id})
        return
    if isinstance(node, ast.Attribute):
        raise FormulaError(_("公式中不能使用属性访问“%(a)s”") % {"a": ast.unparse(node)[:40]})
    if isinstance(node, ast.Starred):
        raise FormulaError(_("公式中不能使用“*”展开"))
    kind = type(node).__name__
    words = {
        "Compare": _("比较"),
        "BoolOp": _("逻辑运算"),
        "Subscript": _("下标"),
        "Lambda": _("lambda 表达式"),
        "IfExp": _("条件表达式"),
        "List": _("列表"),
        "Tuple": _("元组"),
        "Dict": _("字典"),
        "JoinedStr": _("字符串"),
    }
    raise FormulaError(
        _("公式中不能使用%(what)s，只能使用数字、指标数据、+ - * /、括号和 min、max、pct")
        % {"what": words.get(kind, kind)}
    )


def _op_text(op: ast.AST) -> str:
    return {
        ast.Pow: "**",
        ast.Mod: "%",
        ast.FloorDiv: "//",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.MatMult: "@",
        ast.Not: "not",
        ast.Invert: "~",
    }.get(type(op), type(op).__name__)


def validate(text: str, *, allowed: Mapping[str, Any] | None = None) -> list[str]:
    """The metric names ``text`` uses (sorted); :class:`FormulaError` when it cannot be used."""
    tree = parse(text, allowed=allowed)
    return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS})


def names_in(text: str) -> list[str]:
    try:
        return validate(text)
    except FormulaError:
        return []


@dataclass
class Result:
    value: float
    notes: list[str] = field(default_factory=list)


def evaluate(text: str, values: Mapping[str, float]) -> Result:
    """The value of ``text`` with ``values`` (missing metrics count as 0); a zero divisor gives 0
    and a note."""
    tree = parse(text)
    notes: list[str] = []
    value = _eval(tree.body, values, notes)
    return Result(round(value, 6), notes)


def _eval(node: ast.AST, values: Mapping[str, float], notes: list[str]) -> float:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values.get(node.id, 0.0) or 0.0)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values, notes)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a = _eval(node.left, values, notes)
        b = _eval(node.right, values, notes)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        return _divide(a, b, node.right, notes)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, values, notes) for a in node.args]
        if node.func.id == "min":
            return min(args)
        if node.func.id == "max":
            return max(args)
        return _divide(args[0], args[1], node.args[1], notes) * 100
    raise FormulaError(_("公式无法计算"))  # unreachable after parse()


def _divide(a: float, b: float, divisor: ast.AST, notes: list[str]) -> float:
    if b == 0:
        notes.append(_("除数“%(d)s”为零，按 0 计") % {"d": _words(divisor)})
        return 0.0
    return a / b


def _words(node: ast.AST, parent_prec: int = 0) -> str:
    """The expression with metric labels and ×/÷ (for people)."""
    if isinstance(node, ast.Expression):
        return _words(node.body)
    if isinstance(node, ast.Constant):
        v = node.value
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    if isinstance(node, ast.Name):
        return metrics.label(node.id)
    if isinstance(node, ast.UnaryOp):
        return ("－" if isinstance(node.op, ast.USub) else "") + _words(node.operand, 3)
    if isinstance(node, ast.BinOp):
        prec = 1 if isinstance(node.op, (ast.Add, ast.Sub)) else 2
        left = _words(node.left, prec)
        right = _words(node.right, prec + 1)
        text = f"{left} {_WORD_OPS[type(node.op)]} {right}"
        return f"（{text}）" if prec < parent_prec else text
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_words(a) for a in node.args]
        if node.func.id == "pct":
            return f"{args[0]} ÷ {args[1]} × 100%"
        name = _("较小值") if node.func.id == "min" else _("较大值")
        return f"{name}（{'，'.join(args)}）"
    return ast.unparse(node)


def describe(text: str) -> str:
    """``text`` in words (metric labels), or the text itself when it does not parse."""
    try:
        return _words(parse(text))
    except FormulaError:
        return text


def normalise(text: str) -> str:
    """The formula in a canonical spelling (spaces around operators)."""
    return ast.unparse(parse(text))
