"""Process bookkeeping for the local test cluster.

`down` must stop exactly the processes `up` started and nothing else, even if
a PID has since been reused by an unrelated process. Each PID is therefore
recorded together with its kernel start time (field 22 of /proc/<pid>/stat)
and only signalled while both still match.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Proc:
    """One started component."""

    name: str
    pid: int
    start_time: int
    argv: list[str]


def proc_start_time(pid: int) -> int | None:
    """Kernel start time of ``pid`` in clock ticks, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces; fields after it are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def is_alive(p: Proc) -> bool:
    return proc_start_time(p.pid) == p.start_time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(
    name: str,
    argv: list[str],
    log_dir: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Proc:
    """Start ``argv`` in its own session, output appended to ``log_dir/<name>.log``.

    A new session keeps the component alive after the launching CLI exits and
    keeps terminal signals (Ctrl-C in the test runner) away from it.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{name}.log", "ab") as log:
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
    start = None
    for _ in range(100):
        start = proc_start_time(popen.pid)
        if start is not None:
            break
        time.sleep(0.01)
    if start is None:
        raise RuntimeError(f"{name} exited immediately; see {log_dir / (name + '.log')}")
    return Proc(name, popen.pid, start, argv)


class PidFile:
    """JSON list of started components (``<workdir>/pids``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[Proc]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return []
        return [Proc(**d) for d in data.get("processes", [])]

    def save(self, procs: list[Proc], extra: dict[str, object] | None = None) -> None:
        data: dict[str, object] = {"processes": [asdict(p) for p in procs]}
        data.update(extra or {})
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self.path)

    def extra(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if k != "processes"}


def terminate(procs: list[Proc], grace: float = 10.0) -> None:
    """SIGTERM the recorded processes (reverse start order), SIGKILL leftovers."""
    for p in reversed(procs):
        if is_alive(p):
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(is_alive(p) for p in procs):
        _reap(procs)
        time.sleep(0.1)
    for p in procs:
        if is_alive(p):
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    _reap(procs, timeout=5.0)


def _reap(procs: list[Proc], timeout: float = 0.0) -> None:
    """Collect those of ``procs`` that are our exited children (no zombies).

    Only our own PIDs are waited for, so other children of a test process
    (e.g. Popen objects of the code under test) keep their exit status. A Go
    process already shows as a zombie while its other threads still exit, so
    the final call retries for up to ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    for p in procs:
        while True:
            try:
                if os.waitpid(p.pid, os.WNOHANG)[0] != 0:
                    break
            except ChildProcessError:
                break  # not our child, or already reaped
            if time.monotonic() >= deadline:
                break
            time.sleep(0.02)
