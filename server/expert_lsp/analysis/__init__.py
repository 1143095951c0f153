"""Analysis: parsing units, module facts, the rule runner and the jedi semantic index.

Pure and LSP-free: the same code serves the language server and ``expert-lsp check``.
"""
