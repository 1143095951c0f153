"""Allow ``python -m expert_lsp``."""

from expert_lsp.cli import main

raise SystemExit(main())
