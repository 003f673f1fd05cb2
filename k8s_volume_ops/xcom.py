"""DockerOperator's XCom rules, applied to a pod's log.

DockerOperator returns the last line of the container's merged stdout and stderr
(all lines with `xcom_all`), each line right-stripped, split on `\\n` only; a final
line without a newline counts, a trailing newline does not start a new line.
`retrieve_output` instead returns the unpickled content of a file, which the
sidecar prints base64-encoded between two marker lines.
"""

from __future__ import annotations

import base64
import binascii

from .retrieve_output import RETRIEVE_BEGIN, RETRIEVE_END

__all__ = ["log_lines", "output_file_bytes", "xcom_value"]


def log_lines(text: str) -> list[str]:
    """Split a log as DockerOperator's `fetch_logs` does."""
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [part.rstrip() for part in parts]


def xcom_value(text: str, *, xcom_all: bool) -> str | list[str] | None:
    """The value DockerOperator would push: None without output."""
    lines = log_lines(text)
    if not lines:
        return None
    return lines if xcom_all else lines[-1]


def output_file_bytes(sidecar_log: str) -> bytes | None:
    """The file the retrieve-output sidecar printed, or None if it found no file."""
    lines = log_lines(sidecar_log)
    try:
        start = lines.index(RETRIEVE_BEGIN)
        end = lines.index(RETRIEVE_END, start)
    except ValueError:
        return None
    try:
        return base64.b64decode("".join(lines[start + 1 : end]), validate=True)
    except (binascii.Error, ValueError):
        return None
