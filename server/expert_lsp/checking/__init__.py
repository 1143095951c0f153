"""Batch checking: the engine of ``expert-lsp check`` (files, cache, parallel runner, output).

The same :class:`~expert_lsp.analysis.engine.Analyzer` the language server uses runs here over
whole trees, one process per core, and an on-disk cache skips files whose content, path,
settings and engine have not changed since the last run.
"""
