"""Print how long the analysis engine takes on files, cold and after one-character edits.

Usage: ``python tests/perf/engine_timing.py FILE... [--runs N]``. For the benchmark corpus,
generate it first (``python3 ../shared/bench/gen_corpus.py /tmp/corpus``) and pass its files.

It prints figures and asserts nothing: timings on a shared machine are too noisy for a
pass/fail line, so compare medians between commits. ``cpu`` is the process CPU time
(less sensitive to other load than wall time).

Rows: ``cold`` a fresh analyzer on the whole file; ``edit comment`` an ``x`` appended to the
comment nearest the middle (what lspbench does); ``edit newline`` a line inserted in the
middle (every later unit shifts); ``edit import`` an alias added to the first import (units
that mention the name are re-checked); ``edit revert`` back to the original text.
With ``--per-rule``, also the CPU time each rule adds to a cold analysis of the last file
(an analyzer with that rule alone, minus one with no rules).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.rule import Rule
from expert_lsp.documents.text import TextDocument
from expert_lsp.rules import all_rules


def _middle_comment(lines: tuple[str, ...]) -> tuple[int, int]:
    """Position just after the comment nearest the middle line (else end of the middle)."""
    middle = len(lines) // 2
    for distance in range(len(lines)):
        for index in (middle - distance, middle + distance):
            if 0 <= index < len(lines) and "#" in lines[index]:
                return index, len(lines[index].rstrip("\r\n"))
    return middle, len(lines[middle].rstrip("\r\n"))


def _first_import(lines: tuple[str, ...]) -> tuple[int, int] | None:
    for index, line in enumerate(lines):
        if line.startswith("import ") and " as " not in line and "," not in line:
            return index, len(line.rstrip("\r\n"))
    return None


def _timed(
    analyzer: Analyzer, path: str, lines: tuple[str, ...], previous: DocumentAnalysis | None
) -> tuple[float, float, DocumentAnalysis]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = analyzer.analyze(path, lines, previous)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, result


def measure(path: Path, runs: int) -> dict[str, list[tuple[float, float, int]]]:
    """Per row, ``(wall ms, cpu ms, reused units)`` for each run."""
    text = path.read_text(encoding="utf-8")
    rows: dict[str, list[tuple[float, float, int]]] = {}

    def record(row: str, sample: tuple[float, float, DocumentAnalysis]) -> DocumentAnalysis:
        rows.setdefault(row, []).append((sample[0], sample[1], sample[2].reused_units))
        return sample[2]

    for _ in range(runs):
        analyzer = Analyzer(all_rules())
        document = TextDocument.from_text(path.as_uri(), 1, text)
        name = str(path)
        analysis = record("cold", _timed(analyzer, name, document.lines, None))
        original = document
        line, column = _middle_comment(document.lines)
        edits: list[tuple[str, tuple[int, int, int, int], str]] = [
            ("edit comment", (line, column, line, column), "x"),
            ("edit newline", (line, column, line, column), "\n"),
        ]
        found = _first_import(document.lines)
        if found is not None:
            edits.append(("edit import", (found[0], found[1], found[0], found[1]), " as alias_"))
        for row, change, new_text in edits:
            edited = original.with_changes(2, [(change, new_text)], "utf-16")
            previous = analysis
            analysis = record(row, _timed(analyzer, name, edited.lines, previous))
            analysis = record(
                "edit revert",
                _timed(analyzer, name, original.lines, analysis),
            )
    return rows


def per_rule(path: Path, runs: int) -> list[tuple[str, float]]:
    """CPU ms each rule adds to a cold analysis of ``path`` (median of ``runs``), slowest first."""
    lines = TextDocument.from_text("", 1, path.read_text(encoding="utf-8")).lines

    def cold_cpu(analyzer_rules: list[Rule]) -> float:
        samples = [_timed(Analyzer(analyzer_rules), str(path), lines, None)[1] for _ in range(runs)]
        return statistics.median(samples)

    baseline = cold_cpu([])
    costs = [(rule.id, cold_cpu([rule]) - baseline) for rule in all_rules()]
    return [("(parse, split, walk: no rules)", baseline), *sorted(costs, key=lambda c: -c[1])]


def main() -> None:
    """Parse arguments, measure each file, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-rule", action="store_true", help="CPU cost of each rule")
    args = parser.parse_args()
    print("| file | lines | units | findings | row | wall ms (median, min-max) | cpu ms | reused |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for path in args.files:
        text = path.read_text(encoding="utf-8")
        probe = Analyzer(all_rules()).analyze(str(path), TextDocument.from_text("", 1, text).lines)
        for row, samples in measure(path, args.runs).items():
            walls = [sample[0] for sample in samples]
            cpus = [sample[1] for sample in samples]
            print(
                f"| {path.name} | {len(probe.lines)} | {len(probe.units)} | {len(probe.findings)}"
                f" | {row} | {statistics.median(walls):.1f} ({min(walls):.1f}-{max(walls):.1f})"
                f" | {statistics.median(cpus):.1f} | {samples[0][2]} |"
            )
    if args.per_rule:
        print(f"\n| rule | cold cpu ms on {args.files[-1].name} |\n|---|---:|")
        for rule_id, cost in per_rule(args.files[-1], max(1, args.runs // 2)):
            print(f"| {rule_id} | {cost:.0f} |")


if __name__ == "__main__":
    main()
