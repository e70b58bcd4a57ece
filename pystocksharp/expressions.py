"""A small, safe expression language for parameter rules and constraints (``fast < slow``).

Parsed with :mod:`ast` and checked against a whitelist, then turned into plain Python closures;
nothing is ever passed to ``eval``. Allowed: numbers, strings, ``True``/``False``, parameter
names, comparisons (``< <= > >= == !=``, chained), ``and``/``or``/``not``, ``+ - * / // %``,
unary ``-``/``+``, and the functions ``abs``, ``min``, ``max``. Anything else (attributes,
subscripts, lambdas, other calls, comprehensions) is rejected with a message naming it.

Arithmetic mixing a ``Decimal`` with a float converts the float through its shortest repr, so
``Decimal("0.1") == 0.1`` holds here.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Evaluator = Callable[[Mapping[str, Any]], Any]

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"abs": abs, "min": min, "max": max}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%"}


class ExpressionError(ValueError):
    """The expression uses something outside the whitelist or an unknown name."""


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, Decimal) and isinstance(b, float):
        return a, Decimal(repr(b))
    if isinstance(b, Decimal) and isinstance(a, float):
        return Decimal(repr(a)), b
    return a, b


def _apply(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """``op(a, b)``, converting a float to Decimal when the other side is a Decimal."""
    if type(a) is float and type(b) is Decimal or type(a) is Decimal and type(b) is float:
        a, b = _coerce(a, b)
    return op(a, b)


#: Longest expression (constraint, rule, fitness) accepted, in characters.
MAX_EXPRESSION_CHARS = 2_000


def _short(text: str) -> str:
    return repr(text) if len(text) <= 80 else repr(text[:60]) + f"... ({len(text):,} characters)"


class Expression:
    """A parsed expression: ``Expression("fast < slow", names={"fast", "slow"})(values) -> bool``."""

    def __init__(self, text: str, names: set[str] | frozenset[str] | None = None) -> None:
        self.text = text.strip()
        self.allowed_names = None if names is None else frozenset(names)
        if len(self.text) > MAX_EXPRESSION_CHARS:
            raise ExpressionError(f"expression of {len(self.text):,} characters: at most {MAX_EXPRESSION_CHARS:,} "
                                  f"(starts {self.text[:40]!r})")  # fmt: skip
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(f"cannot parse {_short(text)}: {exc.msg}") from None
        except (RecursionError, MemoryError):
            raise ExpressionError(f"cannot parse {_short(text)}: nested too deeply") from None
        self.names: set[str] = set()
        try:
            self._fn = self._build(tree.body)
        except RecursionError:
            raise ExpressionError(f"cannot use {_short(text)}: nested too deeply") from None

    def __call__(self, values: Mapping[str, Any]) -> Any:
        return self._fn(values)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its text (the closures are rebuilt on load)."""
        return (Expression, (self.text, self.allowed_names))

    def __str__(self) -> str:
        return self.text

    def _build(self, node: ast.expr) -> Evaluator:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            value = node.value
            return lambda _v: value
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BoolOp):
            parts = [self._build(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return lambda v: all(p(v) for p in parts)
            return lambda v: any(p(v) for p in parts)
        if isinstance(node, ast.UnaryOp):
            inner = self._build(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda v: not inner(v)
            if isinstance(node.op, ast.USub):
                return lambda v: -inner(v)
            if isinstance(node.op, ast.UAdd):
                return lambda v: +inner(v)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            op = _BINARY[type(node.op)]
            left, right = self._build(node.left), self._build(node.right)
            return lambda v: _apply(op, left(v), right(v))
        if isinstance(node, ast.Compare) and all(type(o) in _COMPARE for o in node.ops):
            return self._compare(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
            if node.keywords or not node.args or any(isinstance(a, ast.Starred) for a in node.args):
                raise ExpressionError(f"{node.func.id}() takes plain positional arguments in {self.text!r}")
            fn = _FUNCTIONS[node.func.id]
            args = [self._build(a) for a in node.args]
            return lambda v: fn(*(a(v) for a in args))
        raise ExpressionError(
            f"{_describe(node)} is not allowed in {self.text!r}; use numbers, parameter names, comparisons, "
            "and/or/not, + - * / // %, abs(), min(), max()"
        )

    def _name(self, name: str) -> Evaluator:
        if name in ("True", "False"):
            value = name == "True"
            return lambda _v: value
        if self.allowed_names is not None and name not in self.allowed_names:
            known = ", ".join(sorted(self.allowed_names)) or "none"
            raise ExpressionError(f"unknown name '{name}' in {self.text!r}; parameters are: {known}")
        self.names.add(name)
        return lambda v: v[name]

    def _compare(self, node: ast.Compare) -> Evaluator:
        first = self._build(node.left)
        ops = [_COMPARE[type(o)] for o in node.ops]
        rest = [self._build(c) for c in node.comparators]
        if len(ops) == 1:
            op, second = ops[0], rest[0]
            return lambda v: bool(_apply(op, first(v), second(v)))

        def compare(v: Mapping[str, Any]) -> bool:
            left = first(v)
            for op, right_fn in zip(ops, rest, strict=True):
                right = right_fn(v)
                if not _apply(op, left, right):
                    return False
                left = right
            return True

        return compare


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp):
        return f"operator '{_SYMBOLS.get(type(node.op), type(node.op).__name__)}'"  # type: ignore[call-overload]
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        return f"calling '{name}'"
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r}"
    return f"'{ast.unparse(node)}' ({type(node).__name__})"
