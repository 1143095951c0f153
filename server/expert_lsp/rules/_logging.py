"""What counts as a logging call: shared by the ERR rules about logging.

A receiver is a logger when it resolves to ``logging.getLogger(...)`` (module-level or
local), is the ``logging`` module itself, or carries a conventional logger name
(``logger``, ``log``, ``self.logger``...): loggers are passed around and injected far more
often than they are created next to their use. Also here: turning an eagerly formatted
message into a lazy ``%`` template with arguments (ERR603 and ERR604 fixes).
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import flow_at

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAMES = frozenset({"logger", "log", "_logger", "_log", "LOGGER", "LOG", "logging"})
_LOGGER_FACTORIES = ("logging.getLogger()", "structlog.get_logger()", "structlog.getLogger()")


def logging_method(call: ast.Call, context: NodeContext) -> str | None:
    """The method name (``info``, ``error``...) when ``call`` is a logging call."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return None
    receiver = func.value
    qualified = context.qualified_name(receiver) or ""
    if qualified == "logging" or qualified.startswith(_LOGGER_FACTORIES):
        return func.attr
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    if name in _LOGGER_NAMES or name.endswith(("_logger", "_log")):
        return func.attr
    return None


def logging_call(call: ast.Call, context: NodeContext) -> str | None:
    """Like :func:`logging_method`, also for the module's functions imported by name
    (``from logging import info``; ``info(...)`` logs through the root logger)."""
    method = logging_method(call, context)
    if method is None and isinstance(call.func, ast.Name):
        module, _, name = (context.qualified_name(call.func) or "").rpartition(".")
        if module == "logging" and name in LOG_METHODS:
            return name
    return method


def stdlib_logging_call(call: ast.Call, context: NodeContext) -> str | None:
    """The method when ``call`` surely logs through the standard library: the ``logging``
    module, its functions imported by name, or a ``logging.getLogger(...)`` logger
    (module-level or local). Loggers known only by their name are left out: other
    libraries' loggers (twisted, distutils, absl) share method names with other meanings."""
    func = call.func
    if isinstance(func, ast.Name):
        return logging_call(call, context)
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return None
    receiver = flow_at(context).qualified_name(func.value, context.facts) or ""
    if receiver == "logging" or receiver.startswith("logging.getLogger()"):
        return func.attr
    return None


def message_argument(call: ast.Call, method: str) -> ast.expr | None:
    """The message argument of a logging call (``log(level, msg)`` takes it second)."""
    index = 1 if method == "log" else 0
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == "msg"), None)


def is_eager_format(message: ast.expr) -> bool:
    """An f-string with placeholders, ``"..." % x`` or ``"...".format(...)``."""
    match message:
        case ast.JoinedStr(values=values):
            return any(isinstance(value, ast.FormattedValue) for value in values)
        case ast.BinOp(left=ast.Constant(value=str()), op=ast.Mod()):
            return True
        case ast.Call(func=ast.Attribute(value=ast.Constant(value=str()), attr="format")):
            return True
    return False


_CONVERSIONS = {None: "%s", "s": "%s", "r": "%r", "a": "%a"}
_FIELD = re.compile(r"\{\{|\}\}|\{(![rsa])?\}|\{|\}")


def lazy_arguments(
    message: cst.BaseExpression,
) -> tuple[cst.SimpleString, list[cst.BaseExpression]] | None:
    """``message`` as a ``%``-style template plus its arguments, for logging to format
    only when the record is emitted; ``None`` when the shape is not understood."""
    if isinstance(message, cst.FormattedString):
        return _from_fstring(message)
    if isinstance(message, cst.BinaryOperation) and isinstance(message.operator, cst.Modulo):
        if not isinstance(message.left, cst.SimpleString):
            return None
        right = message.right
        if isinstance(right, cst.Tuple):
            if any(isinstance(e, cst.StarredElement) for e in right.elements):
                return None
            return message.left, [element.value for element in right.elements]
        return message.left, [right]
    if (
        isinstance(message, cst.Call)
        and isinstance(message.func, cst.Attribute)
        and isinstance(message.func.value, cst.SimpleString)
        and all(arg.keyword is None and not arg.star for arg in message.args)
    ):
        return _from_format(message.func.value, [arg.value for arg in message.args])
    return None


def _from_fstring(
    message: cst.FormattedString,
) -> tuple[cst.SimpleString, list[cst.BaseExpression]] | None:
    prefix = message.prefix.lower().replace("f", "")
    quote = message.start[len(message.prefix) :]
    text = ""
    values: list[cst.BaseExpression] = []
    for part in message.parts:
        if isinstance(part, cst.FormattedStringText):
            text += part.value.replace("%", "%%").replace("{{", "{").replace("}}", "}")
        elif (
            isinstance(part, cst.FormattedStringExpression)
            and part.format_spec is None
            and part.equal is None
        ):
            text += _CONVERSIONS.get(part.conversion, "")
            values.append(part.expression)
        else:
            return None
    return cst.SimpleString(f"{prefix}{quote}{text}{quote}"), values


def _from_format(
    template: cst.SimpleString, values: list[cst.BaseExpression]
) -> tuple[cst.SimpleString, list[cst.BaseExpression]] | None:
    raw = template.raw_value
    text = ""
    position = 0
    fields = 0
    for match in _FIELD.finditer(raw):
        text += raw[position : match.start()].replace("%", "%%")
        field = match.group()
        if field in {"{{", "}}"}:
            text += field[0]
        elif field in {"{", "}"}:
            return None  # a named, numbered or formatted field
        else:
            text += _CONVERSIONS[match.group(1)[1:] if match.group(1) else None]
            fields += 1
        position = match.end()
    text += raw[position:].replace("%", "%%")
    if fields != len(values):
        return None
    return template.with_changes(
        value=f"{template.prefix}{template.quote}{text}{template.quote}"
    ), values
