"""Shared CLI output: YAML streams on stdout, one line per problem on stderr."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import VolumeOpsError

__all__ = ["guarded", "one_line", "quiet_stdout", "yaml_stream"]


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send whatever writes to file descriptor 1 (Airflow's loggers do) to stderr.

    Airflow's structured logger holds its own reference to stdout, so swapping
    `sys.stdout` is not enough; the descriptor itself is pointed at stderr while a
    DAG loads and its tasks render, and stdout carries nothing but the YAML.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def one_line(problem: BaseException) -> str:
    """A problem on one line (the fix hint joined with a dash)."""
    return " ".join(part.strip() for part in str(problem).splitlines())


def yaml_stream(documents: Iterable[tuple[list[str], dict[str, Any]]]) -> str:
    """`---`-separated YAML documents, each preceded by its comment lines."""
    import yaml

    chunks = []
    for comments, doc in documents:
        header = "".join(f"# {line}\n" for line in comments)
        chunks.append(f"---\n{header}{yaml.safe_dump(doc, sort_keys=False)}")
    return "".join(chunks)


def guarded(run: Callable[[], int]) -> int:
    """Run a subcommand: a refusal exits 2 with its message, never a traceback."""
    try:
        return run()
    except VolumeOpsError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: say so in one line; the traceback on request
        if os.environ.get("K8S_VOLUME_OPS_DEBUG"):
            traceback.print_exc()
        print(
            f"internal error: {type(exc).__name__}: {exc} (set K8S_VOLUME_OPS_DEBUG=1 for "
            "the traceback)",
            file=sys.stderr,
        )
        return 1
