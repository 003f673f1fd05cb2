"""Per-container log files: one ``<RFC3339Nano timestamp> <line>`` per output line.

This mirrors what the kubelet's CRI log files provide, so the log endpoint can
honour ``timestamps``, ``sinceTime``/``sinceSeconds`` and ``tailLines``.
stdout and stderr share one pipe and therefore stay interleaved in order.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO


def rfc3339nano(ns: int | None = None) -> str:
    ns = time.time_ns() if ns is None else ns
    secs, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z"


def rfc3339(ts: float | None = None) -> str:
    """Second-precision timestamp as the Kubernetes API stores them."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if ts is None else ts))


def parse_time(value: str) -> float:
    """Parse RFC3339 with optional fraction (up to nanoseconds) to epoch seconds."""
    v = value.strip().replace("Z", "+00:00")
    frac = 0.0
    if "." in v:
        head, rest = v.split(".", 1)
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        frac = float("0." + digits) if digits else 0.0
        v = head + rest
    return dt.datetime.fromisoformat(v).timestamp() + frac


def copy_with_timestamps(src: BinaryIO, dst: BinaryIO) -> None:
    """Prefix each line read from ``src`` with the time it arrived; flush per line."""
    for line in iter(src.readline, b""):
        if not line.endswith(b"\n"):
            line += b"\n"
        dst.write(rfc3339nano().encode() + b" " + line)
        dst.flush()


@dataclass
class LogQuery:
    """Query parameters of the kubelet ``/containerLogs`` endpoint."""

    follow: bool = False
    timestamps: bool = False
    tail_lines: int | None = None
    since: float | None = None  # epoch seconds
    limit_bytes: int | None = None


def _render(line: bytes, q: LogQuery) -> bytes | None:
    ts, _, body = line.partition(b" ")
    if q.since is not None:
        try:
            if parse_time(ts.decode()) < q.since:
                return None
        except ValueError:
            pass
    return line if q.timestamps else body


def read_existing(f: BinaryIO, q: LogQuery) -> tuple[list[bytes], bytes]:
    """Complete lines currently in ``f`` (after since/tail) and a trailing partial line."""
    data = f.read()
    lines = data.split(b"\n")
    partial = lines.pop()
    out = [r for r in (_render(ln + b"\n", q) for ln in lines) if r is not None]
    if q.tail_lines is not None:
        out = out[-q.tail_lines :] if q.tail_lines > 0 else []
    return out, partial


def stream(
    path: str, q: LogQuery, finished: Callable[[], bool], poll: float = 0.1
) -> Iterator[bytes]:
    """Yield log output; with ``follow``, keep going until ``finished()`` and drained."""
    budget = q.limit_bytes
    with open(path, "rb") as f:
        lines, partial = read_existing(f, q)
        while True:
            for chunk in lines:
                if budget is not None:
                    if budget <= 0:
                        return
                    chunk = chunk[:budget]
                    budget -= len(chunk)
                yield chunk
            if not q.follow:
                return
            done = finished()  # sample before reading so no final line is missed
            data = f.read()
            if not data:
                if done:
                    return
                time.sleep(poll)
                lines = []
                continue
            parts = (partial + data).split(b"\n")
            partial = parts.pop()
            lines = [r for r in (_render(p + b"\n", q) for p in parts) if r is not None]
