"""The expert engine: a persona and an LLM behind diagnostics, code actions and hovers.

Pure and LSP-free: personas, context building with redaction, the output schema, model
providers, validation of every answer, the disk cache and the scheduler that keeps the model
off the typing path. ``expert_lsp.lsp.expert_feature`` is the only bridge to the protocol.
"""
