"""Real-editor tests: VS Code (code-server), Neovim, Emacs eglot, Vim ALE."""
