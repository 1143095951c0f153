"""ERR607 naive-datetime."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.analysis.syntax import keyword
from expert_lsp.rules._fixes import set_keyword
from expert_lsp.rules._frameworks import in_test_file

_CLASS = "datetime.datetime"
_DATE = "datetime.date"
_TZ_ARGUMENT = {
    f"{_CLASS}.now": (0, "tz"),
    f"{_CLASS}.fromtimestamp": (1, "tz"),
    _CLASS: (7, "tzinfo"),
}
"""Calls that take a timezone: how many positional arguments come before it, its keyword."""
_UTC_CALLS = {f"{_CLASS}.utcnow": "now", f"{_CLASS}.utcfromtimestamp": "fromtimestamp"}
_ALWAYS_NAIVE = {
    f"{_CLASS}.today": "returns a naive datetime: use `now(tz=...)`",
    f"{_DATE}.today": "is the server's local date: take the date of an aware datetime",
    f"{_DATE}.fromtimestamp": "is a local-time date: take the date of an aware datetime",
}
_STRPTIME = f"{_CLASS}.strptime"
_METHODS = frozenset(
    {"now", "utcnow", "fromtimestamp", "utcfromtimestamp", "today", "strptime", "datetime"}
)
_MODULE_MEMBERS = frozenset({"datetime", "date", "time", "timezone", "timedelta", "tzinfo", "UTC"})
_MAKE_AWARE = ("make_aware", "localize")
"""Django's ``timezone.make_aware(naive)`` and pytz's ``tz.localize(naive)`` attach a zone."""

_FIX_IMPORTED = FixOffer("Make it timezone-aware: `tz=timezone.utc`", safe=False)
_FIX_MODULE = FixOffer("Make it timezone-aware: `tz=datetime.timezone.utc`", safe=False)


class NaiveDatetime(Rule):
    """A naive `datetime` has no timezone: comparisons and storage go wrong silently.

    `datetime.now()`, `datetime.today()` and `fromtimestamp(ts)` without `tz` give the
    server's local wall time with no zone attached; `utcnow()` and `utcfromtimestamp()`
    give UTC but still naive (deprecated since Python 3.12); `datetime(...)` without
    `tzinfo` and `strptime` with a literal format that has no `%z` build naive values;
    `date.today()` and `date.fromtimestamp()` are the server's local date. A value given a
    zone on the spot (`.astimezone()`, `.replace(tzinfo=...)`, `make_aware(...)`,
    `localize(...)`) is fine, and so are fixed `datetime(...)` moments in tests. A file
    that imports `datetime` both as the module and as the class is read line by line: the
    shape of each use (`datetime.datetime.now` or `datetime.now`) says which it means.

    Naive values shift by hours when servers, containers or databases disagree about the
    local zone, and break around daylight saving changes.

    **Bad**

    ```python
    def stamp() -> dict:
        return {"created_at": datetime.utcnow().isoformat()}
    ```

    **Good**

    ```python
    def stamp() -> dict:
        return {"created_at": datetime.now(tz=timezone.utc).isoformat()}
    ```

    **Fix**: pass `tz=timezone.utc` (`utcnow()` becomes `now(tz=...)`), importing
    `timezone` when needed. Offered, not applied by fix-all: an aware value no longer
    compares with naive ones, and `now()`/`fromtimestamp()` switch from local time to UTC.
    """

    id = "ERR607"
    name = "naive-datetime"
    aliases = (
        "DTZ001",
        "DTZ002",
        "DTZ003",
        "DTZ004",
        "DTZ005",
        "DTZ006",
        "DTZ007",
        "DTZ011",
        "DTZ012",
    )
    severity = Severity.WARNING
    message = "`{call}()` returns a naive datetime: pass a timezone"
    node_types = (ast.Call,)

    valid = (
        Valid("from datetime import datetime, timezone\n\nx = datetime.now(timezone.utc)\n"),
        Valid("import datetime\n\nx = datetime.datetime.now(tz=datetime.timezone.utc)\n"),
        Valid(
            "from datetime import datetime\n\n"
            "def f(ts, tz):\n"
            "    return datetime.fromtimestamp(ts, tz)\n"
        ),
        Valid("from django.utils import timezone\n\nx = timezone.now()\n"),
        Valid("import pendulum\n\nx = pendulum.now()\n"),
        Valid("from datetime import datetime\n\nx = datetime.now().astimezone()\n"),
        Valid(
            "from datetime import datetime, timezone\n\ndef f(s, fmt):\n"
            "    a = datetime.strptime(s, '%Y-%m-%dT%H:%M:%S%z')\n"
            "    b = datetime.strptime(s, '%Y').replace(tzinfo=timezone.utc)\n"
            "    return a, b, datetime.strptime(s, fmt)\n"
        ),
        Valid(
            "from datetime import datetime, timezone\n\n"
            "EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)\n"
            "LATER = datetime(1970, 1, 1, 0, 0, 0, 0, timezone.utc)\n"
        ),
        Valid(
            "from datetime import datetime\n\ndef test_f():\n    assert datetime(2020, 1, 1)\n",
            "tests/test_dates.py",
        ),
        Valid(
            "from datetime import datetime\nfrom django.utils import timezone\n\n"
            "x = timezone.make_aware(datetime(2020, 1, 1))\n"
        ),
        Valid(
            "from datetime import datetime\nimport datetime\n\n"
            "x = datetime.datetime.now(datetime.timezone.utc)\n"
        ),
    )
    invalid = (
        Invalid(
            "from datetime import datetime\n\ndef f():\n    return datetime.utcnow()\n",
            line=4,
            fixed="from datetime import datetime\nfrom datetime import timezone\n\n"
            "def f():\n    return datetime.now(tz=timezone.utc)\n",
        ),
        Invalid(
            "import datetime\n\ndef f(ts):\n    return datetime.datetime.fromtimestamp(ts)\n",
            line=4,
            fixed="import datetime\n\ndef f(ts):\n"
            "    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)\n",
        ),
        Invalid(
            "from datetime import datetime as dt\n\nSTARTED = dt.now()\n",
            line=3,
            fixed="from datetime import datetime as dt\nfrom datetime import timezone\n\n"
            "STARTED = dt.now(tz=timezone.utc)\n",
        ),
        Invalid(
            "from datetime import datetime\nfrom django.utils import timezone\n\n"
            "x = datetime.now()\n",
            line=4,
        ),
        Invalid(
            "from datetime import datetime\n\ndef f():\n    return datetime.today()\n",
            line=4,
            fixed="from datetime import datetime\nfrom datetime import timezone\n\n"
            "def f():\n    return datetime.now(tz=timezone.utc)\n",
        ),
        Invalid(
            "from datetime import datetime\n\nEPOCH = datetime(1970, 1, 1)\n",
            line=3,
            fixed="from datetime import datetime\nfrom datetime import timezone\n\n"
            "EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)\n",
        ),
        Invalid("from datetime import date\n\ndef f():\n    return date.today()\n", line=4),
        Invalid(
            "import datetime\n\ndef f(ts):\n    return datetime.date.fromtimestamp(ts)\n", line=4
        ),
        Invalid(
            "from datetime import datetime\n\ndef f(s):\n"
            "    return datetime.strptime(s, '%Y-%m-%d %H:%M')\n",
            line=4,
        ),
        Invalid(
            "import datetime\n\nA = datetime.datetime.utcnow()\n\n"
            "from datetime import datetime\n\nB = datetime.utcnow()\n",
            line=3,
        ),
        Invalid(
            "import datetime\n\nA = datetime.datetime.utcnow()\n\n"
            "from datetime import datetime\n\nB = datetime.utcnow()\n",
            line=7,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _METHODS:
            return
        qualified = _qualified(func, context)
        if qualified is None or _made_aware(node, context):
            return
        if qualified in _TZ_ARGUMENT:
            position, tz_keyword = _TZ_ARGUMENT[qualified]
            if len(node.args) > position or any(k.arg in {tz_keyword, None} for k in node.keywords):
                return
            if qualified == _CLASS and (in_test_file(context.path) or not node.args):
                return  # fixed moments in tests; `datetime()` without arguments is a TypeError
        elif qualified == _STRPTIME:
            if not _naive_format(node):
                return
            message = f"`{ast.unparse(func)}()` without `%z` returns a naive datetime"
            yield self.finding(node, context, message, fix=False)
            return
        elif qualified in _ALWAYS_NAIVE:
            message = f"`{ast.unparse(func)}()` {_ALWAYS_NAIVE[qualified]}"
            fix = _offer(func, context) if qualified == f"{_CLASS}.today" else False
            yield self.finding(node, context, message, fix=fix)
            return
        elif qualified not in _UTC_CALLS:
            return
        yield self.finding(
            node, context, self.message.format(call=ast.unparse(func)), fix=_offer(func, context)
        )

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        func = call.func
        tz_keyword = "tz"
        if isinstance(func, cst.Attribute) and func.attr.value in {"utcnow", "utcfromtimestamp"}:
            func = func.with_changes(attr=cst.Name(func.attr.value.removeprefix("utc")))
        elif isinstance(func, cst.Attribute) and func.attr.value == "today":
            func = func.with_changes(attr=cst.Name("now"))
        elif not isinstance(func, cst.Attribute) or func.attr.value == "datetime":
            tz_keyword = "tzinfo"  # the constructor
        if request.finding.fix == _FIX_MODULE:
            utc = cst.parse_expression("datetime.timezone.utc")
            imports: tuple[str, ...] = ()
        else:
            utc = cst.parse_expression("timezone.utc")
            imports = ("from datetime import timezone",)
        new_call = set_keyword(call.with_changes(func=func), tz_keyword, utc)
        return FixResult(tree.replace(call, new_call), imports=imports)


def _qualified(func: ast.expr, context: NodeContext) -> str | None:
    """The call's qualified name. A file may bind `datetime` both as the module and as the
    class (two imports); the module has no `now` and the class no `date` member, so the
    shape of the use says which binding is in effect on that line."""
    qualified = context.qualified_name(func)
    chain = dotted_name(func)
    if chain is None or context.facts.imports.get("datetime") not in {"datetime", _CLASS}:
        return qualified
    root, _, rest = chain.partition(".")
    if root != "datetime":
        return qualified
    if not rest:
        return _CLASS
    return f"datetime.{rest}" if rest.split(".")[0] in _MODULE_MEMBERS else f"{_CLASS}.{rest}"


def _made_aware(call: ast.Call, context: NodeContext) -> bool:
    """``naive.astimezone()``, ``naive.replace(tzinfo=...)``, ``make_aware(naive)``: the
    value is given a zone on the spot."""
    ancestors = context.ancestors
    parent = ancestors[-1] if ancestors else None
    grandparent = ancestors[-2] if len(ancestors) > 1 else None
    if isinstance(parent, ast.Attribute) and isinstance(grandparent, ast.Call):
        if parent.attr == "astimezone":
            return True
        if parent.attr == "replace" and keyword(grandparent, "tzinfo") is not None:
            return True
    if isinstance(parent, ast.Call) and call in parent.args:
        callee = parent.func
        name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
        return name in _MAKE_AWARE
    return False


def _naive_format(call: ast.Call) -> bool:
    """``strptime(text, "%Y-%m-%d")``: a literal format with no ``%z`` (``%Z`` alone does
    not make the result aware)."""
    fmt = call.args[1] if len(call.args) > 1 else keyword(call, "format")
    return isinstance(fmt, ast.Constant) and isinstance(fmt.value, str) and "%z" not in fmt.value


def _offer(func: ast.expr, context: NodeContext) -> FixOffer | bool:
    """Spell UTC the way the line can: ``datetime.timezone.utc`` where `datetime` is the
    module on this line (``datetime.datetime.now``), else ``timezone.utc`` (imported by the
    fix) unless that name means something else."""
    chain = dotted_name(func) or ""
    if chain == _CLASS or chain.startswith(f"{_CLASS}."):
        return _FIX_MODULE
    if context.facts.imports.get("timezone", "datetime.timezone") == "datetime.timezone":
        return _FIX_IMPORTED
    return False  # e.g. Django's `timezone`: `timezone.now()` is the idiom there
