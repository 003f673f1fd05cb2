"""Launch one container's process on the host, in a private mount namespace.

Run as ``python -m node_agent.container SPEC.json``. There is no image: the
command runs on the host's userland. To give the process the volume layout the
pod spec asks for without touching the host filesystem, it builds a private
root inside its own mount namespace:

1. ``unshare(CLONE_NEWNS)`` and make every mount private, so nothing below
   propagates back to the host and everything vanishes when the process exits;
2. mount a tmpfs as the new root and recursively bind every top-level entry of
   the host ``/`` into it (symlinks such as ``/bin -> usr/bin`` are copied);
3. bind each volumeMount's source onto its mountPath (read-only if asked); a
   missing top-level mountPath such as ``/data`` is created on the tmpfs only;
4. ``chroot`` into the new root, change directory, drop to runAsUser/runAsGroup
   and ``exec`` the command with exactly the container's environment.

Setup failures are written as JSON to ``spec["error_file"]`` and the process
exits 128, which the agent reports as ``StartError`` (as a kubelet would).
Directories/files created below bind-mounted host directories are listed in
``spec["created_file"]`` so the agent can remove them after the container ends.
This module is stdlib-only and single-threaded: unshare(CLONE_NEWNS) refuses
multi-threaded callers.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any

CLONE_NEWNS = 0x00020000
MS_RDONLY = 1
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    _check(
        _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {source} -> {target}",
    )


def umount(target: str) -> None:
    _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")


class Layout:
    """Builds the private root and records what it created on the host."""

    def __init__(self, root: str, created_file: str) -> None:
        self.root = root
        self.created_file = created_file
        self.created: list[str] = []

    def build_root(self) -> None:
        _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        os.makedirs(self.root, exist_ok=True)
        mount("tmpfs", self.root, "tmpfs", 0, "mode=0755")
        for name in sorted(os.listdir("/")):
            src, dst = "/" + name, os.path.join(self.root, name)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            elif os.path.isdir(src):
                os.mkdir(dst)
                mount(src, dst, None, MS_BIND | MS_REC)
            elif os.path.isfile(src):
                open(dst, "w").close()
                mount(src, dst, None, MS_BIND)
        # The recursive binds also copied the new root's own tmpfs (it lives below
        # some host directory); detach that alias so the tree does not nest.
        alias = os.path.join(self.root, self.root.lstrip("/"))
        if os.path.ismount(alias):
            umount(alias)

    def resolve(self, path: str) -> str:
        """Host path of container path ``path``, following symlinks inside the new root.

        Before chroot an absolute symlink (e.g. ``/var/run -> /run``) would
        resolve against the host root; resolve it against the new root instead.
        """
        parts = [p for p in path.split("/") if p]
        resolved = ""
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                resolved = os.path.dirname(resolved)
                continue
            full = self.root + resolved + "/" + part
            if os.path.islink(full):
                hops += 1
                if hops > 40:
                    raise OSError(f"too many symlinks resolving {path}")
                target = os.readlink(full)
                if target.startswith("/"):
                    resolved = ""
                parts = [p for p in target.split("/") if p] + parts
                continue
            resolved += "/" + part
        return self.root + resolved

    def ensure(self, path: str, is_dir: bool) -> str:
        """Create container path ``path`` and missing parents; return its host path."""
        target = self.resolve(path)
        missing = []
        p = target
        while not os.path.lexists(p):
            missing.append(p)
            p = os.path.dirname(p)
        for m in reversed(missing):
            if m == target and not is_dir:
                open(m, "w").close()
            else:
                os.mkdir(m, 0o755)
            self.created.append(m[len(self.root) :] or "/")
        with open(self.created_file, "w") as f:
            json.dump(self.created, f)
        return target

    def bind(self, source: str, mount_path: str, read_only: bool) -> None:
        target = self.ensure(mount_path, os.path.isdir(source))
        mount(source, target, None, MS_BIND | MS_REC)
        if read_only:
            mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)


def run(spec: dict[str, Any]) -> None:
    layout = Layout(spec["root"], spec["created_file"])
    layout.build_root()
    for m in sorted(spec["mounts"], key=lambda m: m["mountPath"].rstrip("/").count("/")):
        layout.bind(m["source"], m["mountPath"], m["readOnly"])
    workdir = spec.get("workingDir") or "/"
    layout.ensure(workdir, True)
    os.chroot(layout.root)
    os.chdir(workdir)
    if spec.get("gid") is not None or spec.get("groups"):
        os.setgroups([int(g) for g in spec.get("groups", [])])
    if spec.get("gid") is not None:
        os.setgid(int(spec["gid"]))
    if spec.get("uid") is not None:
        os.setuid(int(spec["uid"]))
    command: list[str] = spec["command"]
    env: dict[str, str] = spec["env"]
    try:
        os.execvpe(command[0], command, env)
    except OSError as e:
        raise OSError(e.errno, f'exec: "{command[0]}": {e.strerror}') from None


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    try:
        run(spec)
    except Exception as e:  # report any setup failure to the agent
        msg = f"{type(e).__name__}: {e}"
        with open(spec["error_file"], "w") as f:
            json.dump({"message": msg}, f)
        print(f"node-agent: failed to start container: {msg}", file=sys.stderr, flush=True)
        os._exit(128)


if __name__ == "__main__":
    main()
