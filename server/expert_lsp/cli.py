"""The command line: ``expert-lsp check PATHS`` (more subcommands arrive with their features)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from expert_lsp.analysis.engine import Analyzer
from expert_lsp.documents.text import split_lines
from expert_lsp.rules import all_rules


def _python_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _check(paths: Sequence[str]) -> int:
    analyzer = Analyzer(all_rules())
    found = 0
    for path in _python_files(paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        for finding in analyzer.analyze(str(path), split_lines(text)).findings:
            found += 1
            span = finding.span
            print(f"{path}:{span.line + 1}:{span.col + 1}: {finding.rule_id} {finding.message}")
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``expert-lsp`` console script."""
    parser = argparse.ArgumentParser(prog="expert-lsp")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check files and print findings")
    check.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.paths)
    return 2


if __name__ == "__main__":
    sys.exit(main())
