"""ERR607 naive-datetime."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import set_keyword

_CLASS = "datetime.datetime"
_NOW = {f"{_CLASS}.now": 0, f"{_CLASS}.fromtimestamp": 1}
"""Calls that take a timezone, and how many positional arguments come before it."""
_UTC_CALLS = {f"{_CLASS}.utcnow": "now", f"{_CLASS}.utcfromtimestamp": "fromtimestamp"}

_FIX_IMPORTED = FixOffer("Make it timezone-aware: `tz=timezone.utc`", safe=False)
_FIX_MODULE = FixOffer("Make it timezone-aware: `tz=datetime.timezone.utc`", safe=False)


class NaiveDatetime(Rule):
    """A naive `datetime` has no timezone: comparisons and storage go wrong silently.

    `datetime.now()` and `fromtimestamp(ts)` without `tz` give the server's local wall time
    with no zone attached; `utcnow()` and `utcfromtimestamp()` give UTC but still naive
    (deprecated since Python 3.12). Naive values shift by hours when servers, containers or
    databases disagree about the local zone, and break around daylight saving changes.

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
    aliases = ("DTZ003", "DTZ004", "DTZ005", "DTZ006")
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
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not isinstance(node.func, ast.Attribute) or node.func.attr not in {
            "now",
            "utcnow",
            "fromtimestamp",
            "utcfromtimestamp",
        }:
            return
        qualified = context.qualified_name(node.func)
        if qualified in _NOW:
            if len(node.args) > _NOW[qualified] or any(
                k.arg in {"tz", None} for k in node.keywords
            ):
                return
        elif qualified not in _UTC_CALLS:
            return
        yield self.finding(
            node, context, self.message.format(call=ast.unparse(node.func)), fix=_offer(context)
        )

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None or not isinstance(call.func, cst.Attribute):
            return None
        func = call.func
        if func.attr.value in {"utcnow", "utcfromtimestamp"}:
            func = func.with_changes(attr=cst.Name(func.attr.value.removeprefix("utc")))
        if request.finding.fix == _FIX_MODULE:
            utc = cst.parse_expression("datetime.timezone.utc")
            imports: tuple[str, ...] = ()
        else:
            utc = cst.parse_expression("timezone.utc")
            imports = ("from datetime import timezone",)
        new_call = set_keyword(call.with_changes(func=func), "tz", utc)
        return FixResult(tree.replace(call, new_call), imports=imports)


def _offer(context: NodeContext) -> FixOffer | bool:
    """Spell UTC the way the module can: ``datetime.timezone`` after ``import datetime``,
    else ``timezone`` (imported by the fix) unless that name means something else."""
    imports = context.facts.imports
    if imports.get("datetime") == "datetime":
        return _FIX_MODULE
    if imports.get("timezone", "datetime.timezone") == "datetime.timezone":
        return _FIX_IMPORTED
    return False  # e.g. Django's `timezone`: `timezone.now()` is the idiom there
