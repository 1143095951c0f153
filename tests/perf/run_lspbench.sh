#!/usr/bin/env bash
# Benchmark expert-lsp against ruff server, jedi-language-server and pylsp in one lspbench run.
#
# Usage: tests/perf/run_lspbench.sh [SCRATCH_DIR]
#   SCRATCH_DIR  where the venv, corpus and results go (default: a new temp dir); it must be
#                outside the repository. Reused if it already holds a venv.
# Environment:
#   BENCH_DIR    folder with lspbench.py and gen_corpus.py (default: ../shared/bench next to
#                the repository)
#   RUNS         measured sessions per server and file (default 5)
#   HOVERS       hover positions per session (default 50, lspbench's default)
#   TIMEOUT      seconds to wait for a response or the first diagnostics (default 120: on a
#                loaded machine a server that imports much can take over 30 s to initialize)
#   PYTHON       interpreter for the venv (default python3.11)
#
# Writes SCRATCH_DIR/results.json and SCRATCH_DIR/results.md (the Markdown tables) and prints
# the tables. The servers' venv also gets fastapi, sqlalchemy and pandas, the libraries the
# corpus imports, so jedi-based hovers resolve them as they would in a real project.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench="${BENCH_DIR:-$repo/../shared/bench}"
scratch="${1:-$(mktemp -d -t expert-lspbench.XXXXXX)}"
runs="${RUNS:-5}"
hovers="${HOVERS:-50}"
timeout="${TIMEOUT:-120}"
python="${PYTHON:-python3.11}"

mkdir -p "$scratch"
scratch="$(cd "$scratch" && pwd)"
case "$scratch/" in
"$repo"/*)
    echo "scratch dir $scratch is inside the repository; pick another" >&2
    exit 2
    ;;
esac
for tool in lspbench.py gen_corpus.py; do
    [[ -f "$bench/$tool" ]] || { echo "missing $bench/$tool (set BENCH_DIR)" >&2; exit 2; }
done

venv="$scratch/venv"
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet ruff jedi-language-server \
        'python-lsp-server[pyflakes,pycodestyle]' fastapi sqlalchemy pandas
fi
# Always reinstall expert-lsp, so the numbers are for this checkout.
"$venv/bin/pip" install --quiet "$repo"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$repo"

corpus="$scratch/corpus"
"$python" "$bench/gen_corpus.py" "$corpus" >/dev/null

{
    echo "# lspbench $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command: RUNS=$runs HOVERS=$hovers TIMEOUT=$timeout tests/perf/run_lspbench.sh"
    echo "versions: $("$venv/bin/pip" freeze | grep -iE '^(expert-lsp|ruff|jedi-language-server|python-lsp-server|jedi)(==| @ )' | tr '\n' ' ')"
    echo
} >"$scratch/results.md"

PATH="$venv/bin:$PATH" "$python" "$bench/lspbench.py" \
    --server "expert-lsp serve" \
    --server "ruff server" \
    --server jedi-language-server \
    --server pylsp \
    --file "$corpus/backend_300.py" \
    --file "$corpus/backend_3000.py" \
    --file "$corpus/backend_15000.py" \
    --runs "$runs" \
    --hovers "$hovers" \
    --timeout "$timeout" \
    --json "$scratch/results.json" >>"$scratch/results.md"

cat "$scratch/results.md"
echo "results: $scratch/results.md, $scratch/results.json" >&2
