"""A safe parser for expressions such as ``"tanh(w1*x1 + w2*x2 + b)"``.

The text is parsed with Python's ``ast`` and only a whitelist is accepted:
numbers, the variable names given, ``+ - * / **``, unary ``+``/``-``, calls of
the engine's functions, and list literals as the arguments of the n-ary ones
(``sum``, ``dot``). Nothing is ever passed to ``eval`` or ``exec``. Size and
nesting are bounded so a hostile expression fails fast instead of hanging.
Numbers must be finite floats (``1e400`` is refused, not read as inf).
"""

from __future__ import annotations

import ast
import math
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, cast

from . import value as _v
from .ops import TABLE, Op
from .value import Value, apply, as_value

MAX_LENGTH = 10_000
MAX_NODES = 2_000
MAX_DEPTH = 100



def functions() -> dict[str, Callable[..., Value]]:
    """The functions an expression may call: every op of the table that has a
    ``function`` name. ``leaky_relu(x, 0.2)`` passes the op's constants after its
    operands; ``sum([...])`` and ``dot([...], [...])`` take lists."""
    return {op.function: _caller(op) for op in TABLE.values() if op.function}


LIST_FUNCTIONS = tuple(op.function for op in TABLE.values() if op.arity == 0 and op.function)
"""The n-ary ops (``sum``, ``dot``, ...), called with lists: they are built by the
engine's own functions."""


def _caller(op: Op) -> Callable[..., Value]:
    if op.arity == 0:
        return getattr(_v, op.name)  # value.sum, value.dot

    def call(*args: Value | float) -> Value:
        operands, ctx = args[:op.arity], args[op.arity:]
        if len(operands) != op.arity:
            raise TypeError(f"takes {op.arity} operand(s), got {len(operands)}")
        if len(ctx) > len(op.defaults):
            raise TypeError(f"takes at most {op.arity + len(op.defaults)} arguments")
        ctx = tuple(float(c) for c in ctx) + op.defaults[len(ctx):]
        return apply(op, tuple(as_value(x, op.name) for x in operands), ctx)

    return call

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class ExpressionError(ValueError):
    """The expression is not one memograd accepts; the message says why."""


def parse(text: str) -> ast.expr:
    """Parse and validate ``text``; raise ExpressionError when it is not allowed."""
    if not isinstance(text, str):
        raise TypeError(f"parse: expected a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long ({len(text)} characters, limit {MAX_LENGTH})")
    if not text.strip():
        raise ExpressionError("empty expression")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate: ast.parse would fail on it obscurely
        raise ExpressionError(f"the expression holds U+{ord(text[e.start]):04X} at column "
                              f"{e.start + 1}, which is not a character") from None
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        if "integer string conversion" in e.msg:  # Python's own limit on an int's digits
            raise ExpressionError("a number in the expression has too many digits "
                                  f"(over {sys.get_int_max_str_digits()})") from None
        where = f" (column {e.offset})" if e.offset else ""
        raise ExpressionError(f"malformed expression: {e.msg}{where}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply") from None
    except ValueError as e:  # older Pythons report a NUL byte this way
        raise ExpressionError(f"malformed expression: {e}") from None
    _validate(tree.body, source)
    return tree.body


def _validate(root: ast.expr, source: str) -> None:
    count = 0
    stack: list[tuple[ast.AST, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, in_list_arg = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression too large (over {MAX_NODES} syntax nodes)")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested too deeply (over {MAX_DEPTH} levels)")
        children: list[ast.AST] = []
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r}")
            _check_finite(node, source)
        elif isinstance(node, ast.Name):
            pass  # resolved against the given values when evaluated
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
            children = [node.left, node.right]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.UAdd, ast.USub)):
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
            children = [node.operand]
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError("only calls of plain function names are allowed, "
                                      f"not {ast.unparse(node.func)!r}")
            known = functions()
            if node.func.id not in known:
                raise ExpressionError(f"unknown function {node.func.id!r}; allowed: "
                                      + ", ".join(sorted(known)))
            if node.keywords:
                raise ExpressionError(f"{node.func.id}() takes no keyword arguments")
            lists_ok = node.func.id in LIST_FUNCTIONS
            stack.extend((a, depth + 1, lists_ok) for a in node.args)
            continue
        elif isinstance(node, ast.List) and in_list_arg:
            children = list(node.elts)
        elif isinstance(node, ast.Attribute):
            raise ExpressionError(f"attribute access is not allowed: {ast.unparse(node)!r}")
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression: "
                                  f"{ast.unparse(node)[:60]!r}")
        stack.extend((c, depth + 1, False) for c in children)


def _check_finite(node: ast.Constant, source: str) -> None:
    """Refuse a number that is no finite float: ``1e400`` would be inf, and inf and
    nan would flow through the graph unnoticed (the engine raises only on overflow)."""
    try:
        finite = math.isfinite(float(cast(int | float, node.value)))  # _validate checked
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        shown = ast.get_source_segment(source, node) or "a number"
        if len(shown) > 24:
            shown = shown[:10] + "..." + shown[-10:]
        raise ExpressionError(f"the number {shown} is too large for a float (limit about 1.8e308)")


def variables(text: str) -> list[str]:
    """The variable names ``text`` uses, in order of first appearance."""
    tree = parse(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called]
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in found))


def evaluate(text: str, values: Mapping[str, Value | float]) -> Value:
    """Build the graph of ``text`` with the given variable values.

    Each variable becomes one leaf labelled with its name (a plain number is
    turned into a ``Value``); every operation's node is labelled with its own
    source text, so a printed or drawn graph reads like the expression.

    >>> evaluate("x*y + x", {"x": 2.0, "y": 3.0}).data
    8.0
    """
    tree = parse(text)
    source = _Source(text.strip())
    leaves = {name: v if isinstance(v, Value) else Value(v, name) for name, v in values.items()}
    # Evaluate children before parents without recursion: post-order over the AST.
    results: dict[int, Value | float | list[Any]] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        kids = _children(node)
        if not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in kids)
            continue
        args = [results.pop(id(k)) for k in kids]
        results[id(node)] = _apply(node, args, leaves, source)
    out = cast(Value | float, results[id(tree)])  # parse() allows lists only as arguments
    return out if isinstance(out, Value) else Value(out)


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.List):
        return list(node.elts)
    return []


class _Source:
    """The text of any node of one parsed source. ``ast.get_source_segment`` splits the
    whole source again on every call, which made labelling a long expression's nodes
    quadratic; this splits it once."""

    _LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")  # the tokenizer's line ends only

    def __init__(self, source: str) -> None:
        # ast's column offsets count UTF-8 bytes
        self.lines = [m.group().encode() for m in self._LINE.finditer(source)]

    def segment(self, node: ast.expr) -> str:
        first, last = node.lineno - 1, cast(int, node.end_lineno) - 1
        start, end = node.col_offset, cast(int, node.end_col_offset)
        if first == last:
            return self.lines[first][start:end].decode()
        middle = self.lines[first + 1:last]
        return b"".join([self.lines[first][start:], *middle, self.lines[last][:end]]).decode()


def _apply(node: ast.AST, args: list[Any], leaves: Mapping[str, Value],
           source: _Source) -> Value | float | list[Any]:
    if isinstance(node, ast.Constant):
        return float(cast(int | float, node.value))  # parse() allows only numbers here
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            raise ExpressionError(f"no value given for {node.id!r} (use --at {node.id}=...)")
        return leaves[node.id]
    if isinstance(node, ast.List):
        return args
    if isinstance(node, ast.BinOp):
        a, b = args
        if not isinstance(a, Value) and not isinstance(b, Value):
            a = Value(a)  # keep constant arithmetic in floats: 9**9**9 cannot hang
        result = _binop(type(node.op), a, b)
    elif isinstance(node, ast.UnaryOp):
        result = args[0] if isinstance(node.op, ast.UAdd) else -args[0]
    else:  # a call: parse() allows no other node, and only plain names as functions
        name = cast(ast.Name, cast(ast.Call, node).func).id
        try:
            result = functions()[name](*args)
        except TypeError as e:
            raise ExpressionError(f"{name}(): {e}") from None
    if isinstance(result, Value) and not result.label:
        result.label = source.segment(cast(ast.expr, node))  # an operator or a call
    return result


def _binop(op: type, a, b) -> Value:
    if op is ast.Add:
        return a + b
    if op is ast.Sub:
        return a - b
    if op is ast.Mult:
        return a * b
    if op is ast.Div:
        return a / b
    return a ** b
