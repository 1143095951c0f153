"""Validation of a model answer: nothing unanchored, broken or unsafe reaches the editor.

- The answer must match the schema; each item is validated on its own, so one bad finding
  does not discard the others.
- A finding's quote must occur in the target's code; its range comes from the quote, never
  from line numbers the model might give.
- An edit (a refactoring or a finding's replacement) must parse with libcst once applied to
  a copy of the document, must add no rule finding, and every name or module attribute it
  newly uses must resolve with jedi. Only then is it reduced to a minimal diff.
- Placeholders of redacted secrets are turned back into the real code first.

Every rejection carries its reason; the engine logs them.
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Severity, Span
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.documents.positions import utf8_byte_to_column
from expert_lsp.documents.text import TextEdit, minimal_edit, offset_to_position, split_lines
from expert_lsp.expert.redaction import Redacted
from expert_lsp.expert.schema import ExpertFinding, Explanation, ProposedEdit
from expert_lsp.expert.semantics import NameUse, unresolved_uses
from expert_lsp.expert.targets import Target

ModelT = TypeVar("ModelT", bound=BaseModel)
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True, slots=True)
class ExpertIssue:
    """A validated finding, anchored in the document."""

    span: Span
    severity: Severity
    category: str
    title: str
    explanation: str
    quote: str
    fix: TextEdit | None = None


@dataclass(frozen=True, slots=True)
class ExpertEdit:
    """A validated refactoring, as one minimal edit."""

    title: str
    edit: TextEdit


@dataclass(frozen=True, slots=True)
class Rejection:
    """Something the model proposed that is not offered, and why."""

    item: str
    reason: str


@dataclass(slots=True)
class Validated:
    """The usable part of an answer."""

    issues: list[ExpertIssue] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)
    edits: list[ExpertEdit] = field(default_factory=list)
    tests: str | None = None
    rejections: list[Rejection] = field(default_factory=list)


class EditRejected(ValueError):
    """An edit that fails a check; the message is the reason."""


def _items(answer: dict[str, Any], key: str, model: type[ModelT], out: Validated) -> list[ModelT]:
    raw = answer.get(key) or []
    if not isinstance(raw, list):
        out.rejections.append(Rejection(key, "not a list"))
        return []
    items: list[ModelT] = []
    for index, item in enumerate(raw):
        try:
            items.append(model.model_validate(item))
        except ValidationError as error:
            reason = "; ".join(e["msg"] for e in error.errors()[:3])
            out.rejections.append(
                Rejection(f"{key}[{index}]", f"does not match the schema: {reason}")
            )
    return items


def locate(target: Target, quote: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in the target's code (first occurrence); a quote found only
    without its surrounding whitespace is anchored on the stripped text. ``None`` when
    it does not occur."""
    for candidate in dict.fromkeys((quote, quote.strip())):
        offset = target.text.find(candidate) if candidate else -1
        if offset >= 0:
            return (offset, offset + len(candidate))
    return None


def _span(target: Target, start: int, end: int) -> Span:
    line, col = offset_to_position(target.text, start, (target.start, 0))
    end_line, end_col = offset_to_position(target.text, end, (target.start, 0))
    return Span(line, col, end_line, end_col)


def _uses(tree: ast.AST, lines: tuple[str, ...], base_line: int) -> dict[str, NameUse]:
    """Names read and module-style attribute chains in ``tree``, keyed by their text."""
    uses: dict[str, NameUse] = {}

    def column(line: int, byte_offset: int) -> int:
        return utf8_byte_to_column(lines[line - 1] if 0 < line <= len(lines) else "", byte_offset)

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in _BUILTINS:
                line = base_line + node.lineno
                uses.setdefault(node.id, NameUse(line, column(line, node.col_offset), node.id))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            line = base_line + (node.end_lineno or node.lineno)
            text = f"{node.value.id}.{node.attr}"
            base_at = base_line + node.value.lineno
            base = (base_at, column(base_at, node.value.col_offset))
            end = column(line, node.end_col_offset or 0)
            uses.setdefault(text, NameUse(line, max(0, end - 1), text, base))
        elif isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                line = base_line + node.lineno
                text = (
                    f"import {alias.name}"
                    if isinstance(node, ast.Import)
                    else (f"from {'.' * node.level}{node.module or ''} import {alias.name}")
                )
                source = lines[line - 1] if 0 < line <= len(lines) else ""
                at = source.find(alias.name.split(".")[-1], column(line, node.col_offset))
                uses.setdefault(text, NameUse(line, max(at, 0), text))
    return uses


class EditChecker:
    """Applies proposed edits to a copy of the document and checks the result."""

    def __init__(
        self,
        analyzer: Analyzer,
        analysis: DocumentAnalysis,
        target: Target,
        semantic: SemanticIndex,
    ) -> None:
        self.analyzer = analyzer
        self.analysis = analysis
        self.target = target
        self.semantic = semantic
        unit = analysis.unit_at(target.start)
        if unit is None:
            raise EditRejected("the target is no longer in the document")
        self.unit = unit
        self._before = Counter((f.rule_id, f.message) for f in analysis.findings)

    def check(self, quote: str, replacement: str) -> TextEdit:
        """The minimal edit replacing ``quote`` by ``replacement``; raises
        :class:`EditRejected` with the reason when a check fails."""
        where = locate(self.target, quote)
        if where is None:
            raise EditRejected("its quote is not in the code")
        start, end = where
        text = self.target.text
        new_target = text[:start] + replacement + text[end:]
        lines = self.analysis.lines
        new_lines = lines[: self.target.start] + split_lines(new_target) + lines[self.target.end :]
        unit_end = self.unit.end + len(new_lines) - len(lines)
        new_unit = "".join(new_lines[self.unit.start : unit_end])
        import libcst  # half a second to import: only when an edit is checked

        try:
            libcst.parse_module(new_unit)
            new_tree = ast.parse(new_unit)
        except (libcst.ParserSyntaxError, SyntaxError, ValueError) as error:
            raise EditRejected(
                f"the edited code does not parse ({str(error).splitlines()[0]})"
            ) from error
        after = self.analyzer.analyze(self.analysis.path, new_lines, self.analysis)
        added = Counter((f.rule_id, f.message) for f in after.findings) - self._before
        if added:
            rule_id, message = next(iter(added))
            raise EditRejected(f"the edit adds a rule finding ({rule_id} {message})")
        old_tree = self.analysis.unit_tree(self.unit)
        old_uses = _uses(old_tree, lines, self.unit.start) if old_tree is not None else {}
        new_uses = _uses(new_tree, new_lines, self.unit.start)
        fresh = [use for name, use in new_uses.items() if name not in old_uses]
        if fresh:
            source = "".join(new_lines)
            missing = unresolved_uses(self.semantic, source, self.analysis.path, fresh)
            if missing:
                raise EditRejected(f"it uses names that do not resolve: {', '.join(missing)}")
        edit = minimal_edit(self.unit.text, new_unit, (self.unit.start, 0))
        if edit is None:
            raise EditRejected("it changes nothing")
        return edit


def validate(
    answer: dict[str, Any],
    target: Target,
    secrets: Redacted,
    checker: EditChecker,
) -> Validated:
    """Keep what is anchored, parses and checks out; record why the rest was rejected."""
    out = Validated()
    for index, finding in enumerate(_items(answer, "findings", ExpertFinding, out)):
        label = f"finding {index} ({finding.title[:60]})"
        quote = secrets.restore(finding.quote)
        where = locate(target, quote)
        if where is None:
            out.rejections.append(Rejection(label, "its quote is not in the code"))
            continue
        fix = None
        if finding.replacement is not None:
            try:
                fix = checker.check(quote, secrets.restore(finding.replacement))
            except EditRejected as error:
                out.rejections.append(Rejection(f"fix of {label}", str(error)))
        out.issues.append(
            ExpertIssue(
                _span(target, *where),
                Severity(finding.severity),
                finding.category,
                finding.title,
                finding.explanation,
                quote.strip(),
                fix,
            )
        )
    out.explanations = _items(answer, "explanations", Explanation, out)
    for index, proposed in enumerate(_items(answer, "edits", ProposedEdit, out)):
        try:
            edit = checker.check(
                secrets.restore(proposed.quote), secrets.restore(proposed.replacement)
            )
        except EditRejected as error:
            out.rejections.append(Rejection(f"edit {index} ({proposed.title[:60]})", str(error)))
            continue
        out.edits.append(ExpertEdit(proposed.title, edit))
    tests = answer.get("tests")
    if isinstance(tests, str) and tests.strip():
        try:
            ast.parse(tests)
            out.tests = secrets.restore(tests)
        except SyntaxError as error:
            out.rejections.append(
                Rejection("tests", f"the test module does not parse ({error.msg})")
            )
    return out
