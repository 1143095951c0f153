"""The context of one request: what the model is told about a target, within a token budget.

A request carries the target's code with line numbers, the file path, the module's imports,
the signatures and docstrings of what the code calls (jedi), the enclosing class outline,
detected frameworks and dependency versions, and the rule findings already shown (so the
model adds to them instead of repeating them). When the parts exceed the budget the least
relevant go first: dependency versions, then docstrings, then callee signatures from the
last call backwards, the class outline, imports and finally the rule findings. The code
itself is never cut: a target too large for the budget is not sent at all.

Everything is redacted (see :mod:`expert_lsp.expert.redaction`) after rendering, so a
secret in any part never leaves the process.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from expert_lsp.analysis.engine import DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.expert.redaction import Redacted, Redactor
from expert_lsp.expert.semantics import CalleeInfo, callees
from expert_lsp.expert.targets import Target

CHARS_PER_TOKEN = 4
"""Token estimate used for budgets before a request is sent (providers report the truth)."""
MAX_CALLEES = 12
FINDINGS_SECTION = "Rule findings already shown (do not repeat)"
IMPORTS_SECTION = "Module imports"


class ContextTooLarge(ValueError):
    """The target's code alone exceeds the context budget."""


def estimate_tokens(text: str) -> int:
    """A cheap, deliberately pessimistic-enough token estimate (4 characters per token)."""
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True, slots=True)
class Part:
    """One trimmable piece of context; lower ``relevance`` is dropped first."""

    section: str
    text: str
    relevance: int


@dataclass(frozen=True, slots=True)
class ExpertContext:
    """The rendered, redacted user message for one target."""

    target: Target
    path: str
    message: Redacted
    tokens: int
    dropped: tuple[str, ...]
    """Sections (or items) left out to fit the budget."""


def numbered(text: str, first_line: int) -> str:
    """``text`` with 1-based line numbers starting at ``first_line`` (0-based)."""
    rows = text.splitlines()
    width = len(str(first_line + len(rows)))
    return "\n".join(f"{first_line + i + 1:>{width}} | {row}" for i, row in enumerate(rows))


def module_imports(analysis: DocumentAnalysis) -> str:
    """The import statements of the module, as written."""
    found: list[str] = []
    for unit in analysis.units:
        parsed = analysis.parsed.get(unit.text)
        if parsed is None or not parsed.facts.imports:
            continue
        tree = analysis.unit_tree(unit)
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.Import | ast.ImportFrom):
                end = unit.start + (node.end_lineno or node.lineno)
                found.append("".join(analysis.lines[unit.start + node.lineno - 1 : end]).rstrip())
    return "\n".join(found)


_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;#]*)")


def dependency_versions(root: Path | None) -> dict[str, str]:
    """Declared dependencies (pyproject ``[project]`` and requirements.txt): name -> spec."""
    if root is None:
        return {}
    specs: list[str] = []
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        project = data.get("project", {})
        specs.extend(str(item) for item in project.get("dependencies", []))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pass
    try:
        text = (root / "requirements.txt").read_text(encoding="utf-8")
        specs.extend(line for line in text.splitlines() if line.strip()[:1] not in {"", "#", "-"})
    except (OSError, UnicodeDecodeError):
        pass
    versions: dict[str, str] = {}
    for spec in specs:
        match = _REQUIREMENT.match(spec)
        if match:
            name = match.group(1).lower().replace("-", "_")
            versions[name] = f"{match.group(1)}{match.group(3).strip()}"
    return versions


def _finding_line(finding: Finding) -> str:
    return f"- line {finding.span.line + 1}: {finding.rule_id} {finding.message}"


def _callee_parts(infos: Sequence[CalleeInfo]) -> list[Part]:
    parts: list[Part] = []
    for rank, info in enumerate(infos):
        # Earlier calls matter more; docstrings matter less than signatures.
        parts.append(Part("Called functions", f"- {info.name}: {info.signature}", 40 - rank))
        if info.doc:
            doc = info.doc.replace("\n", " ")
            parts.append(Part("Called functions", f"  doc of {info.name}: {doc}", 20 - rank))
    return parts


def _render(head: str, parts: list[Part], kept: list[Part]) -> str:
    """``head`` then the kept parts, grouped by section in their original order."""
    kept_ids = {id(part) for part in kept}
    sections: dict[str, list[str]] = {}
    for part in parts:
        if id(part) in kept_ids:
            sections.setdefault(part.section, []).append(part.text)
    return head + "".join(
        f"\n## {title}\n" + "\n".join(texts) + "\n" for title, texts in sections.items()
    )


@dataclass(frozen=True, slots=True)
class TargetParts:
    """The rendered pieces of one target's context, before trimming and redaction."""

    target: Target
    header: str
    """``Target: <kind> `<name>` (lines a-b)``."""
    code: str
    """The ``## Code`` section (never cut)."""
    parts: tuple[Part, ...]
    """Trimmable parts about the target: rule findings, class outline, callees."""
    module: tuple[Part, ...]
    """Trimmable parts about the module (imports, frameworks, dependencies): the same for
    every target of a document, so a batch shows them once."""


def collect_parts(
    analysis: DocumentAnalysis,
    target: Target,
    *,
    root: Path | None,
    semantic: SemanticIndex,
) -> TargetParts:
    """Everything the model may be told about ``target`` (jedi runs here)."""
    header = f"Target: {target.kind} `{target.name}` (lines {target.start + 1}-{target.end})\n"
    code = f"## Code\n```python\n{numbered(target.text, target.start)}\n```\n"
    parts: list[Part] = []
    shown = [f for f in analysis.findings if target.start <= f.span.line < target.end]
    parts.extend(Part(FINDINGS_SECTION, _finding_line(f), 90) for f in shown)
    module: list[Part] = []
    imports = module_imports(analysis)
    if imports:
        module.append(Part(IMPORTS_SECTION, imports, 70))
    if target.class_outline:
        parts.append(Part("Enclosing class outline", target.class_outline, 60))
    if target.tree is not None:
        infos = callees(
            semantic, analysis.lines, analysis.path, target.tree, target.unit_start, MAX_CALLEES
        )
        parts.extend(_callee_parts(infos))
    if analysis.facts.frameworks:
        module.append(Part("Frameworks", ", ".join(sorted(analysis.facts.frameworks)), 50))
    imported = {q.lstrip(".").split(".")[0].lower() for q in analysis.facts.imports.values()}
    versions = dependency_versions(root)
    relevant = [spec for name, spec in sorted(versions.items()) if name in imported]
    if relevant:
        module.append(Part("Dependencies", ", ".join(relevant), 10))
    return TargetParts(target, header, code, tuple(parts), tuple(module))


def render_context(
    collected: TargetParts, *, display_path: str, redactor: Redactor, budget_tokens: int
) -> ExpertContext:
    """The context of one target, trimmed to ``budget_tokens`` and redacted.

    Raises :class:`ContextTooLarge` when the code alone does not fit.
    """
    target = collected.target
    head = f"File: {display_path}\n{collected.header}{collected.code}"
    fixed = estimate_tokens(head)
    if fixed > budget_tokens:
        raise ContextTooLarge(
            f"`{target.name}` needs about {fixed} tokens, over the context budget of "
            f"{budget_tokens}"
        )
    # Section order: rule findings, imports, outline, callees, frameworks, dependencies.
    findings = [p for p in collected.parts if p.section == FINDINGS_SECTION]
    imports = [p for p in collected.module if p.section == IMPORTS_SECTION]
    parts = [
        *findings,
        *imports,
        *(p for p in collected.parts if p.section != FINDINGS_SECTION),
        *(p for p in collected.module if p.section != IMPORTS_SECTION),
    ]
    kept = sorted(parts, key=lambda part: -part.relevance)
    dropped: list[str] = []
    body = _render(head, parts, kept)
    while kept and estimate_tokens(body) > budget_tokens:
        gone = kept.pop()
        dropped.append(f"{gone.section}: {gone.text[:60]}")
        body = _render(head, parts, kept)
    redacted = redactor.redact(body)
    return ExpertContext(
        target, display_path, redacted, estimate_tokens(redacted.text), tuple(dropped)
    )


def build_context(
    analysis: DocumentAnalysis,
    target: Target,
    *,
    display_path: str,
    root: Path | None,
    semantic: SemanticIndex,
    redactor: Redactor,
    budget_tokens: int,
) -> ExpertContext:
    """Render the context of ``target``, trimmed to ``budget_tokens`` and redacted.

    Raises :class:`ContextTooLarge` when the code alone does not fit.
    """
    collected = collect_parts(analysis, target, root=root, semantic=semantic)
    return render_context(
        collected, display_path=display_path, redactor=redactor, budget_tokens=budget_tokens
    )
