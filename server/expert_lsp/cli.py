"""The command line: ``expert-lsp serve | check | rules | explain | triage``.

Every subcommand is one small ``_add_*`` function that declares its arguments and sets its
handler; a feature that brings a command (or extra ``check`` flags) adds a function to
:data:`COMMANDS`. Exit codes: 0 clean, 1 findings (or, with ``--diff``, fixes to apply),
2 usage error, bad settings, nothing checkable, or an internal error (a rule that raised, or
a unit the engine could not analyse: its E999 notice says why, the file's other findings are
reported).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from expert_lsp.analysis.engine import UNIT_FAILURE
from expert_lsp.checking.cache import default_cache_dir
from expert_lsp.checking.files import UnreadableFileError, discover, read_source
from expert_lsp.checking.formats import (
    plural,
    render_json,
    render_statistics,
    render_text,
)
from expert_lsp.checking.runner import CheckOptions, CheckReport, Mode, run_check
from expert_lsp.checking.sarif import render_sarif
from expert_lsp.checking.triaged import TriagedReport, triaged
from expert_lsp.config import ExpertSettings, ProjectSettings, SettingsError, find_project_root
from expert_lsp.docsgen import render_rule_page
from expert_lsp.expert.personas import list_personas
from expert_lsp.rules import rule_by_id, rule_classes
from expert_lsp.triage import store
from expert_lsp.triage.baseline import BaselineError, read_baseline, render_baseline
from expert_lsp.triage.stats import render_stats, rule_stats
from expert_lsp.triage.store import TriageFileError

Handler = Callable[[argparse.Namespace], int]
"""A subcommand: parsed arguments in, exit code out."""

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _error(message: str) -> None:
    print(f"expert-lsp: {message}", file=sys.stderr)


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def _rule_list(value: str) -> list[str]:
    return [item.strip().upper() for item in value.split(",") if item.strip()]


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return int(value)


# serve ---------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    # Imported here so that `check`, `rules` and `explain` never load pygls.
    from expert_lsp.lsp.server import serve

    serve(tcp=args.tcp, ws=args.ws)
    return EXIT_CLEAN


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", help="run the language server")
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    transport.add_argument("--tcp", metavar="HOST:PORT", type=_host_port, help="listen on TCP")
    transport.add_argument(
        "--ws",
        metavar="HOST:PORT",
        type=_host_port,
        help="listen on WebSocket (needs the `ws` extra: pip install 'expert-lsp[ws]')",
    )
    parser.set_defaults(handler=_serve)


# check ---------------------------------------------------------------------------------


def _overrides(args: argparse.Namespace) -> dict[str, list[str]]:
    layer = {}
    for key in ("select", "ignore", "extend_select"):
        value = getattr(args, key)
        if value is not None:
            layer[key] = value
    return layer


def _render(triage: TriagedReport, args: argparse.Namespace) -> str:
    if args.format == "sarif":
        return render_sarif(triage)
    report = triage.counted_report()
    if args.statistics:
        return render_statistics(report, as_json=args.format == "json")
    if args.format == "json":
        return render_json(report)
    return render_text(report)


def _triaged(report: CheckReport, args: argparse.Namespace) -> TriagedReport | None:
    """The run under its triage files and ``--baseline``; ``None`` (reported) when unreadable."""
    try:
        baseline = read_baseline(Path(args.baseline)) if args.baseline else None
        return triaged(report, baseline)
    except (TriageFileError, BaselineError) as error:
        _error(str(error))
        return None


def _write_baseline(triage: TriagedReport, target: str) -> int:
    findings = [(i.fingerprint, i.finding.message) for i in triage.items if i.dismissed is None]
    store.write_atomically(Path(target), render_baseline(findings))
    _error(f"wrote {plural(len(findings), 'finding')} to the baseline {target}")
    return EXIT_CLEAN


def _prune_triage(triage: TriagedReport, remove: bool) -> int:
    stale = triage.stale()
    for triage_file, entry in stale:
        print_ = entry.fingerprint
        where = f"{print_.path} {print_.symbol or '<module>'}"
        print(f"{triage_file.path}: {print_.rule} in {where} ({entry.verdict}) matches nothing")
    if remove:
        for triage_file in {id(t): t for t, _ in stale}.values():
            gone = {entry.fingerprint for t, entry in stale if t is triage_file}
            store.update(triage_file.path, functools.partial(store.without, stale=gone))
        _error(f"removed {len(stale)} stale triage {'entry' if len(stale) == 1 else 'entries'}")
        return EXIT_CLEAN
    return EXIT_FINDINGS if stale else EXIT_CLEAN


def _note_hidden(triage: TriagedReport) -> None:
    dismissed = sum(item.dismissed is not None for item in triage.items)
    unchanged = sum(item.dismissed is None and not item.counts for item in triage.items)
    parts = []
    if dismissed:
        parts.append(f"{dismissed} dismissed in the triage file")
    if unchanged:
        parts.append(f"{unchanged} in the baseline")
    if parts:
        _error(f"not shown: {', '.join(parts)}")


def _check(args: argparse.Namespace) -> int:
    mode = Mode.FIX if args.fix else Mode.DIFF if args.diff else Mode.CHECK
    options = CheckOptions(
        paths=tuple(args.paths),
        overrides=_overrides(args),
        mode=mode,
        jobs=args.jobs,
        cache_dir=None if args.no_cache else default_cache_dir(),
    )
    started = time.perf_counter()
    try:
        report = run_check(options)
    except SettingsError as error:
        _error(str(error))
        return EXIT_ERROR
    for path in report.missing:
        _error(f"{path}: no such file or directory")
    for path, reason in report.skipped:
        _error(f"{path}: {reason}")
    for path, failure in report.failures:
        if failure.rule_id == UNIT_FAILURE:
            _error(f"{path}:{failure.line + 1}: not analysed: {failure.error}")
        else:
            _error(
                f"{path}:{failure.line + 1}: internal error in {failure.rule_id}: {failure.error}"
            )
    if args.verbose:
        elapsed = time.perf_counter() - started
        _error(f"checked {len(report.results)} files in {elapsed:.2f}s")
        _error(f"cache: {report.cache_hits} hits, {report.cache_misses} misses")
    if mode is Mode.DIFF:
        diffs = [result.diff for result in report.results if result.diff]
        sys.stdout.write("".join(diffs))
        fixes = sum(len(result.fixed) for result in report.results if result.diff)
        _error(f"Would fix {plural(fixes, 'finding')} in {plural(len(diffs), 'file')}.")
        triage = None
    else:
        triage = _triaged(report, args)
        if triage is None:
            return EXIT_ERROR
        if args.write_baseline:
            return _write_baseline(triage, args.write_baseline)
        if args.prune_triage:
            return _prune_triage(triage, args.remove)
        sys.stdout.write(_render(triage, args))
        _note_hidden(triage)
    if report.missing or report.failures or (report.skipped and not report.results):
        return EXIT_ERROR
    if mode is Mode.DIFF:
        return EXIT_FINDINGS if any(result.diff for result in report.results) else EXIT_CLEAN
    if not report.results and not report.skipped:
        _error("no Python files under the given paths")
    expert_found = _check_expert(args.paths) if args.expert else 0
    if expert_found < 0:
        return EXIT_ERROR
    counted = triage.counted if triage is not None else report.findings
    return EXIT_FINDINGS if counted or expert_found else EXIT_CLEAN


# the expert engine: check --expert, personas, show-request -----------------------------


def _expert_settings(path: Path) -> tuple[Path, ExpertSettings]:
    root, settings = ProjectSettings().for_file(path.resolve())
    return root, settings.expert


def _check_expert(paths: Sequence[str]) -> int:
    """Review the files with the model; print findings and the cost. -1 when it cannot run."""
    # Imported here: the model SDKs take a while to import and plain `check` needs none.
    from expert_lsp.expert.batch import review_files
    from expert_lsp.expert.engine import ExpertDisabled

    files, _ = discover(paths)
    if not files:
        return 0
    root, settings = _expert_settings(files[0])
    sources = []
    for path in files:
        try:
            sources.append((path, read_source(path).text))
        except UnreadableFileError:
            continue
    try:
        report = asyncio.run(review_files(sources, settings, root))
    except (ExpertDisabled, ValueError) as error:  # persona, settings or redact pattern
        _error(f"expert review not run: {error}")
        return -1
    for path, issue in report.findings:
        span = issue.span
        where = f"{path}:{span.line + 1}:{span.col + 1}"
        print(f"{where}: {report.persona}/{issue.category} {issue.title}")
    for problem in report.problems:
        _error(problem)
    _error(report.summary())
    return len(report.findings)


def _personas(args: argparse.Namespace) -> int:
    catalogue = list_personas(find_project_root(Path.cwd()))
    for persona in catalogue.personas:
        first = persona.description.strip().split(". ")[0]
        print(f"{persona.name}\t{first}\t{persona.path}")
    for problem in catalogue.errors:
        _error(problem)
    return EXIT_ERROR if catalogue.errors else EXIT_CLEAN


def _show_request(args: argparse.Namespace) -> int:
    from expert_lsp.analysis.engine import Analyzer
    from expert_lsp.documents.text import split_lines
    from expert_lsp.expert.engine import ExpertEngine
    from expert_lsp.expert.targets import target_at
    from expert_lsp.rules import all_rules

    path = Path(args.path)
    root, settings = _expert_settings(path)
    analysis = Analyzer(all_rules()).analyze(str(path), split_lines(read_source(path).text))
    target = target_at(analysis, args.line - 1)
    if target is None:
        _error(f"{path}:{args.line}: no function, method or class there")
        return EXIT_ERROR
    request = ExpertEngine(settings, root=root).prepare(analysis, target, "review")
    print(json.dumps(request.as_json(), indent=2))
    return EXIT_CLEAN


def _add_expert_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    personas = commands.add_parser("personas", help="list the expert personas")
    personas.set_defaults(handler=_personas)
    show = commands.add_parser(
        "show-request", help="print what would be sent to the model for the unit at a line"
    )
    show.add_argument("path")
    show.add_argument("line", type=_positive, help="1-based line inside the function or class")
    show.set_defaults(handler=_show_request)


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help="check files and print findings",
        description="Check Python files with the rules engine (no model involved).",
    )
    parser.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    for flag, what in (
        ("--select", "enable only these rule ids or prefixes (comma-separated)"),
        ("--extend-select", "enable these on top of the selection"),
        ("--ignore", "disable these rule ids or prefixes"),
    ):
        parser.add_argument(flag, type=_rule_list, action="extend", metavar="IDS", help=what)
    fixing = parser.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes and write the files")
    fixing.add_argument("--diff", action="store_true", help="print safe fixes as a diff")
    parser.add_argument("--statistics", action="store_true", help="print counts by rule")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--jobs", "-j", type=_positive, help="worker processes (default: cores)")
    parser.add_argument("--verbose", "-v", action="store_true", help="timing and cache stats")
    parser.add_argument("--expert", action="store_true", help="also review with the model")
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument(
        "--baseline", metavar="FILE", help="report only findings that are not in this baseline"
    )
    baseline.add_argument(
        "--write-baseline", metavar="FILE", help="record the current findings as the baseline"
    )
    baseline.add_argument(
        "--prune-triage",
        action="store_true",
        help="list the triage entries that match no finding any more (exit 1 if any)",
    )
    parser.add_argument(
        "--remove", action="store_true", help="with --prune-triage: delete those entries"
    )
    parser.set_defaults(handler=_check)


# triage --------------------------------------------------------------------------------


def _triage_stats(args: argparse.Namespace) -> int:
    options = CheckOptions(paths=tuple(args.paths), cache_dir=default_cache_dir())
    try:
        report = run_check(options)
        triage = triaged(report)
    except (SettingsError, TriageFileError) as error:
        _error(str(error))
        return EXIT_ERROR
    findings = [(item.finding.rule_id, item.dismissed) for item in triage.items]
    entries = [entry for triage_file in triage.files for entry in triage_file.index.entries]
    sys.stdout.write(render_stats(rule_stats(findings, entries), as_json=args.format == "json"))
    return EXIT_CLEAN


def _add_triage(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("triage", help="what the team dismissed (the triage file)")
    actions = parser.add_subparsers(dest="triage_command", required=True, metavar="ACTION")
    stats = actions.add_parser(
        "stats", help="per rule: findings shown, dismissed by verdict, dismissal rate"
    )
    stats.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    stats.add_argument("--format", choices=("text", "json"), default="text")
    stats.set_defaults(handler=_triage_stats)


# rules, explain ------------------------------------------------------------------------


def _rules(args: argparse.Namespace) -> int:
    rules = rule_classes()
    if args.format == "json":
        listing = [
            {
                "id": rule.id,
                "name": rule.name,
                "severity": rule.severity.value,
                "default_enabled": rule.default_enabled,
                "fix": None
                if rule.fix_title is None
                else {"title": rule.fix_title, "safe": rule.fix_safe},
                "aliases": list(rule.aliases),
                "summary": rule.summary(),
            }
            for rule in rules
        ]
        print(json.dumps(listing, indent=2))
        return EXIT_CLEAN
    rows = [("ID", "NAME", "SEVERITY", "FIX", "DEFAULT", "ALIASES", "SUMMARY")]
    for rule in rules:
        fix = "-" if rule.fix_title is None else "safe" if rule.fix_safe else "offered"
        rows.append(
            (
                rule.id,
                rule.name,
                rule.severity.value,
                fix,
                "on" if rule.default_enabled else "off",
                ",".join(rule.aliases) or "-",
                rule.summary(),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(6)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[6]
        )
    return EXIT_CLEAN


def _add_rules(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("rules", help="list the rules")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=_rules)


def _explain(args: argparse.Namespace) -> int:
    rule = rule_by_id(args.rule_id)
    if rule is None:
        _error(f"unknown rule {args.rule_id!r}; `expert-lsp rules` lists them")
        return EXIT_ERROR
    sys.stdout.write(render_rule_page(rule))
    return EXIT_CLEAN


def _add_explain(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("explain", help="print a rule's documentation")
    parser.add_argument("rule_id", metavar="ID")
    parser.set_defaults(handler=_explain)


COMMANDS: tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...] = (
    _add_serve,
    _add_check,
    _add_rules,
    _add_explain,
    _add_expert_commands,
    _add_triage,
)
"""Subcommand registrars, in ``--help`` order."""


def build_parser() -> argparse.ArgumentParser:
    """The ``expert-lsp`` argument parser with every registered subcommand."""
    from expert_lsp import __version__

    parser = argparse.ArgumentParser(
        prog="expert-lsp",
        description="A senior Python backend engineer in every LSP editor and on the command line.",
    )
    parser.add_argument("--version", action="version", version=f"expert-lsp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``expert-lsp`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 for --help
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    if args.command == "check" and args.diff and (args.format != "text" or args.statistics):
        _error("--diff prints a diff: it cannot be combined with --format or --statistics")
        return EXIT_ERROR
    if args.command == "check" and args.statistics and args.format == "sarif":
        _error("--statistics prints text or JSON, not SARIF")
        return EXIT_ERROR
    if args.command == "check" and args.remove and not args.prune_triage:
        _error("--remove deletes stale triage entries: it needs --prune-triage")
        return EXIT_ERROR
    if args.command == "check" and args.expert and args.format != "text":
        _error("--expert findings are printed as text: it cannot be combined with --format")
        return EXIT_ERROR
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `expert-lsp rules | head`: the reader left, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception:  # the last resort: a clear message and exit 2, never a silent pass
        _error("internal error")
        traceback.print_exc()
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
