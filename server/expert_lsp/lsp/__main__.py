"""``python -m expert_lsp.lsp [--tcp HOST:PORT]``: run the language server."""

from __future__ import annotations

import argparse

from expert_lsp.lsp.server import serve


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def main() -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m expert_lsp.lsp")
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    parser.add_argument("--tcp", type=_address, metavar="HOST:PORT", help="listen on TCP")
    arguments = parser.parse_args()
    serve(arguments.tcp)


main()
