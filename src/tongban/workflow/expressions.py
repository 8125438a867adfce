"""The restricted expression evaluator for gateway conditions and other BPMN expressions.

An allow-list walker over Python's AST (design note notes-spiffworkflow.md §2): only the node
types listed below are accepted, there is no attribute access at all, no ``**``, no names that
start with ``_``, and only the functions in :data:`SAFE_FUNCS` may be called. The tree is walked
and evaluated here; nothing is ever passed to ``eval`` or ``compile``. An administrator who
uploads a process definition therefore cannot make the server run code.

Two errors: :class:`UnsafeExpression` for a construct outside the allow-list (raised at upload by
:func:`check` and again at run time) and :class:`ExpressionError` for an unknown variable, a limit
hit or a type error while evaluating."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

MAX_SOURCE = 1000
MAX_NODES = 200
MAX_ITEMS = 10_000  # every str/list/tuple result
MAX_INT_BITS = 128


class UnsafeExpression(Exception):
    """The expression uses a construct outside the allow-list."""


class ExpressionError(Exception):
    """The expression is allowed but failed: unknown variable, limit hit, wrong types."""


def _workdays_after(start: Any, n: Any) -> Any:
    from tongban.core.calendar import add_workdays

    return add_workdays(start, int(n))


SAFE_FUNCS: dict[str, Callable[..., Any]] = {
    "len": len,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "workdays_after": _workdays_after,
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_UNARY = (ast.Not, ast.USub, ast.UAdd)
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    *_BINOPS.keys(),
    ast.Compare,
    *_CMPOPS.keys(),
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.List,
    ast.Tuple,
    ast.Subscript,
    ast.Call,
)


def _parse(source: Any) -> ast.Expression:
    if not isinstance(source, str):
        raise UnsafeExpression(_("表达式必须是文本"))
    if len(source) > MAX_SOURCE:
        raise UnsafeExpression(_("表达式超过 %(n)d 个字符") % {"n": MAX_SOURCE})
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise UnsafeExpression(_("不是有效的表达式：%(e)s") % {"e": exc}) from None
    for count, node in enumerate(ast.walk(tree), start=1):
        if count > MAX_NODES:
            raise UnsafeExpression(_("表达式过于复杂（超过 %(n)d 个组成部分）") % {"n": MAX_NODES})
        if not isinstance(node, _ALLOWED):
            raise UnsafeExpression(_("不允许的写法：%(kind)s") % {"kind": type(node).__name__})
        if isinstance(node, ast.Constant) and not (
            node.value is None or isinstance(node.value, (str, int, float, bool))
        ):
            raise UnsafeExpression(_("常量只能是文本、数字、布尔值或 None"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > MAX_ITEMS:
            raise UnsafeExpression(_("文本常量过长"))
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise UnsafeExpression(_("不允许的名称：%(name)s") % {"name": node.id})
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            raise UnsafeExpression(_("不允许切片"))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in SAFE_FUNCS:
                raise UnsafeExpression(
                    _("只能调用这些函数：%(funcs)s") % {"funcs": "、".join(sorted(SAFE_FUNCS))}
                )
            if node.keywords:
                raise UnsafeExpression(_("不允许关键字参数"))
            if any(isinstance(a, ast.Starred) for a in node.args):
                raise UnsafeExpression(_("不允许星号参数"))
    return tree  # type: ignore[return-value]


def check(source: str) -> None:
    """Raise :class:`UnsafeExpression` if ``source`` is outside the allow-list (used at upload)."""
    _parse(source)


def _limit(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError(_("整数超过 %(n)d 位") % {"n": MAX_INT_BITS})
    if isinstance(value, (str, list, tuple, bytes)) and len(value) > MAX_ITEMS:
        raise ExpressionError(_("结果超过 %(n)d 项") % {"n": MAX_ITEMS})
    return value


def _size_ok(a: Any, b: Any) -> None:
    """Refuse a sequence multiplication or concatenation whose result would be too long, before doing it."""
    for seq, k in ((a, b), (b, a)):
        if (
            isinstance(seq, (str, list, tuple))
            and isinstance(k, int)
            and not isinstance(k, bool)
            and len(seq) * max(k, 0) > MAX_ITEMS
        ):
            raise ExpressionError(_("结果超过 %(n)d 项") % {"n": MAX_ITEMS})


class _Evaluator:
    def __init__(self, names: Mapping[str, Any]):
        self.names = names

    def run(self, node: ast.AST) -> Any:
        return _limit(self._eval(node))

    def _eval(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return self.run(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            if node.id not in self.names:
                raise ExpressionError(_("未知变量 %(name)s（unknown variable %(name)r）") % {"name": node.id})
            return self.names[node.id]
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                result: Any = True
                for value in node.values:
                    result = self.run(value)
                    if not result:
                        return result
                return result
            result = False
            for value in node.values:
                result = self.run(value)
                if result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self.run(node.operand)
            try:
                if isinstance(node.op, ast.Not):
                    return not operand
                if isinstance(node.op, ast.USub):
                    return -operand
                return +operand
            except TypeError as exc:
                raise ExpressionError(str(exc)) from None
        if isinstance(node, ast.BinOp):
            left, right = self.run(node.left), self.run(node.right)
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise UnsafeExpression(_("不允许的运算：%(kind)s") % {"kind": type(node.op).__name__})
            if isinstance(node.op, ast.Mult):
                _size_ok(left, right)
            if (
                isinstance(node.op, ast.Add)
                and isinstance(left, (str, list, tuple))
                and isinstance(right, (str, list, tuple))
                and len(left) + len(right) > MAX_ITEMS
            ):
                raise ExpressionError(_("结果超过 %(n)d 项") % {"n": MAX_ITEMS})
            if isinstance(node.op, ast.Mod) and isinstance(left, str):
                raise ExpressionError(_("不允许字符串格式化"))
            try:
                return op(left, right)
            except (TypeError, ZeroDivisionError, OverflowError, ValueError) as exc:
                raise ExpressionError(str(exc)) from None
        if isinstance(node, ast.Compare):
            left = self.run(node.left)
            for op_node, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.run(comparator)
                try:
                    ok = _CMPOPS[type(op_node)](left, right)
                except TypeError as exc:
                    raise ExpressionError(str(exc)) from None
                if not ok:
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.run(node.body) if self.run(node.test) else self.run(node.orelse)
        if isinstance(node, ast.List):
            return [self.run(e) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self.run(e) for e in node.elts)
        if isinstance(node, ast.Subscript):
            container, key = self.run(node.value), self.run(node.slice)
            if not isinstance(container, (dict, list, tuple, str)):
                raise ExpressionError(_("只能对列表、文本和映射取下标"))
            try:
                return container[key]
            except (KeyError, IndexError, TypeError) as exc:
                raise ExpressionError(_("没有这一项：%(e)s") % {"e": exc}) from None
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            func = SAFE_FUNCS[node.func.id]
            args = [self.run(a) for a in node.args]
            for arg in args:
                if (
                    not isinstance(arg, (str, int, float, bool, list, tuple, dict, type(None)))
                    and func is not _workdays_after
                ):
                    raise ExpressionError(_("不支持的参数类型"))
            if func is str and args and isinstance(args[0], (int, float)):
                _limit(args[0])
            try:
                return func(*args)
            except (TypeError, ValueError, OverflowError) as exc:
                raise ExpressionError(str(exc)) from None
        raise UnsafeExpression(_("不允许的写法：%(kind)s") % {"kind": type(node).__name__})


def evaluate(source: str, names: Mapping[str, Any] | None = None) -> Any:
    """Evaluate ``source`` with the variables in ``names`` (case data only)."""
    tree = _parse(source)
    try:
        return _Evaluator(names or {}).run(tree)
    except RecursionError:
        raise UnsafeExpression(_("表达式嵌套过深")) from None
