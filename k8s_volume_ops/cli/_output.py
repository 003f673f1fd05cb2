"""Shared CLI output: YAML streams on stdout, one line per problem on stderr."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from ..errors import VolumeOpsError

__all__ = ["guarded", "one_line", "quiet_airflow", "yaml_stream"]


@contextlib.contextmanager
def quiet_airflow(*, keep_stderr: bool = False) -> Iterator[TextIO]:
    """Point fds 1 and 2 away while Airflow runs; yield a stream on the real stderr.

    Redirecting the file descriptors, not `sys.stdout`, is what catches output from
    handlers that kept a reference to the original stream.
    """
    _flush_all()
    saved_out, saved_err = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    real_stderr = os.fdopen(os.dup(saved_err), "w", buffering=1)
    try:
        os.dup2(saved_err if keep_stderr else devnull, 1)
        if not keep_stderr:
            os.dup2(devnull, 2)
        yield real_stderr
    finally:
        _flush_all()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        for fd in (saved_out, saved_err, devnull):
            os.close(fd)
        real_stderr.close()


def _flush_all() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()


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
