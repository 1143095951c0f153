"""Triage: dismissed findings that stay dismissed, for the editor and the CLI alike.

``fingerprint`` identifies a finding without its line number, ``store`` reads and writes the
committable triage file, ``matching`` decides which findings a triage file hides,
``baseline`` records a run's findings so CI reports only new ones, ``stats`` sums up what a
team dismisses. Pure: no LSP, no model; ``lsp/`` and ``cli.py`` both call into it.
"""
