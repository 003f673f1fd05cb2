"""`k8s-volume-ops`: render, scan, migrate and apply, as thin edges over the library.

Each subcommand lives in its own module with a `register(subparsers)` function that
sets `func` on its parser; the function returns the process exit code. Heavy imports
(airflow, kubernetes) happen inside the subcommands that need them, so rendering a
compose file or printing help stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]

_COMMANDS = ("render", "scan", "migrate", "apply_cmd")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="k8s-volume-ops",
        description="Run DockerOperator tasks and compose services as Kubernetes pods.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in _COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `k8s-volume-ops` script."""
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
