"""expert-lsp: a senior Python backend engineer in every LSP editor."""

__version__ = "0.1.0"
