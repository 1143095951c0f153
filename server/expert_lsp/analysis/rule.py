"""The rule framework: a rule is a small class that carries its metadata, docs and cases.

A rule declares the ``ast`` node types it wants; the engine walks each unit once and hands
every rule the nodes it asked for (one batched traversal for all rules). The rule's
docstring is its documentation page; ``valid`` and ``invalid`` cases generate its tests.
A rule that offers a fix implements :meth:`Rule.fix` with libcst, so formatting and
comments survive; the edit is computed only when a user picks the fix.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from expert_lsp.analysis.findings import Finding, FixOffer, Related, Severity

if TYPE_CHECKING:
    from expert_lsp.analysis.context import NodeContext

PROJECT_URL = "https://expert-lsp.dev/"
RULES_DOCS_URL = f"{PROJECT_URL}rules/"
"""Where the rule pages are published (SARIF ``helpUri``; the same address the server puts in
``codeDescription.href``). Here, beside the rule metadata, because the docs generator, the
protocol layer and SARIF output all need it and none of them should import another."""


def rule_docs_url(rule_id: str) -> str:
    """The published page of ``rule_id``."""
    return f"{RULES_DOCS_URL}{rule_id}"


@dataclass(frozen=True, slots=True)
class Valid:
    """Code on which the rule must stay silent."""

    code: str
    path: str = "app/service.py"


@dataclass(frozen=True, slots=True)
class Invalid:
    """Code on which the rule must report, at ``line`` (1-based) when given.

    ``fixed`` is the expected code after applying the rule's fix (``None``: no fix offered).
    """

    code: str
    line: int | None = None
    fixed: str | None = None
    path: str = "app/service.py"


@dataclass(frozen=True, slots=True)
class FixRequest:
    """Everything a fix needs: the unit's code and where the finding is inside it."""

    unit_text: str
    finding: Finding
    """The finding, with its span relative to the unit (line 0 is the unit's first line)."""


@dataclass(frozen=True, slots=True)
class FixResult:
    """A fix: the unit's new code plus imports the new code needs at module level."""

    new_unit_text: str
    imports: tuple[str, ...] = ()
    """Import statements such as ``"import asyncio"``; added once, after the last import."""


class Rule:
    """Base class of all rules. Subclasses set the class variables and :meth:`visit`."""

    id: ClassVar[str]
    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    """Codes of well-known lint checks that report the same thing (ruff's ``T201`` for
    ``print``): ``# noqa: T201`` silences this rule too. Every rule module sets it, ``()``
    when no other tool has the same check."""
    severity: ClassVar[Severity] = Severity.WARNING
    message: ClassVar[str]
    """The one-line message; rules may format it with what they found."""
    node_types: ClassVar[tuple[type[ast.AST], ...]]
    fix_title: ClassVar[str | None] = None
    fix_safe: ClassVar[bool] = False
    default_enabled: ClassVar[bool] = True
    tags: ClassVar[frozenset[str]] = frozenset()
    valid: ClassVar[tuple[Valid, ...]] = ()
    invalid: ClassVar[tuple[Invalid, ...]] = ()

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        """Yield findings for ``node`` (one of :attr:`node_types`)."""
        raise NotImplementedError

    def fix(self, request: FixRequest) -> FixResult | None:
        """Compute the fix for a finding of this rule, or ``None`` when none applies."""
        return None

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation (its docstring, dedented)."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the docs."""
        return cls.docs().split("\n", 1)[0]

    def finding(
        self,
        node: ast.AST,
        context: NodeContext,
        message: str | None = None,
        *,
        related: tuple[Related, ...] = (),
        fix: FixOffer | bool | None = True,
    ) -> Finding:
        """Build a finding that covers ``node``.

        ``fix`` is ``True`` for the rule's default offer, ``False`` for none, or an offer
        specific to this finding (e.g. a different title or safety).
        """
        if isinstance(fix, FixOffer):
            offer: FixOffer | None = fix
        elif fix and self.fix_title is not None:
            offer = FixOffer(self.fix_title, self.fix_safe)
        else:
            offer = None
        return Finding(
            rule_id=self.id,
            message=message or self.message,
            severity=self.severity,
            span=context.span_of(node),
            fix=offer,
            related=related,
            tags=self.tags,
        )
