"""The language server: the only package that speaks LSP (pygls + lsprotocol).

Thin by design: each module wires one LSP method family to the pure engine in
``expert_lsp.analysis`` and converts through :mod:`expert_lsp.lsp.convert`.
"""
