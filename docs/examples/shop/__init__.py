"""A small order service: the sample backend that `expert-lsp check` reviews."""
