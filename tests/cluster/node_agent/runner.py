"""Start a container as a host process and capture its output.

The process is started through ``node_agent.container`` (private mount
namespace, bind mounts, chroot, uid/gid drop) in a new session, so the whole
process group can be signalled on pod deletion. Output is copied line by line
into a timestamped log file by a reader thread.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .logfile import copy_with_timestamps, rfc3339

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


@dataclass
class ContainerProcess:
    """A running (or finished) container process."""

    name: str
    popen: subprocess.Popen[bytes]
    workdir: Path
    log_path: Path
    container_id: str
    started_at: str
    reader: threading.Thread
    finished_at: str | None = None
    exit_code: int | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def poll(self) -> int | None:
        """Exit code once the process ended and its output is fully logged."""
        if self.exit_code is not None:
            return self.exit_code
        rc = self.popen.poll()
        if rc is None:
            return None
        self.reader.join()
        self.finished_at = rfc3339()
        # Killed by a signal: report 128+N like container runtimes do (137, 143).
        self.exit_code = 128 - rc if rc < 0 else rc
        self.done.set()
        return self.exit_code

    def start_error(self) -> str | None:
        """Message written by the launcher when setup or exec failed."""
        try:
            return str(json.loads((self.workdir / "error.json").read_text())["message"])
        except (OSError, ValueError, KeyError):
            return None

    def created_paths(self) -> list[str]:
        try:
            return list(json.loads((self.workdir / "created.json").read_text()))
        except (OSError, ValueError):
            return []

    def kill(self, grace: float) -> None:
        """SIGTERM the process group, SIGKILL after ``grace`` seconds."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            if self.popen.poll() is not None:
                break
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and self.popen.poll() is None:
                time.sleep(0.05)
        self.poll()


def launch(name: str, workdir: Path, log_path: Path, spec: dict[str, Any]) -> ContainerProcess:
    """Start one container; ``spec`` is the launcher spec minus the file paths."""
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("error.json", "created.json"):
        (workdir / stale).unlink(missing_ok=True)
    full = dict(
        spec,
        root=str(workdir / "root"),
        error_file=str(workdir / "error.json"),
        created_file=str(workdir / "created.json"),
    )
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(full))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    popen = subprocess.Popen(
        [sys.executable, "-m", "node_agent.container", str(spec_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd="/",
        env={"PYTHONPATH": PACKAGE_PARENT, "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert popen.stdout is not None

    def pump() -> None:
        try:
            copy_with_timestamps(popen.stdout, log)  # type: ignore[arg-type]
        finally:
            log.close()

    reader = threading.Thread(target=pump, name=f"log-{name}", daemon=True)
    reader.start()
    return ContainerProcess(
        name=name,
        popen=popen,
        workdir=workdir,
        log_path=log_path,
        container_id=f"nodeagent://{uuid.uuid4().hex}",
        started_at=rfc3339(),
        reader=reader,
    )


def remove_created(paths: list[str]) -> None:
    """Remove host paths a launcher created as mount points, if still empty."""
    for p in sorted(paths, key=len, reverse=True):
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                os.rmdir(p)
            elif os.path.isfile(p) and os.path.getsize(p) == 0:
                os.unlink(p)
        except OSError:
            pass
