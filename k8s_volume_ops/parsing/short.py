"""The `-v` short syntax, `SOURCE:TARGET[:MODE]`, with the Docker daemon's rules.

DockerOperator's removed `volumes=` argument sent these strings to the daemon as
legacy `Binds` (moby `daemon/volume/mounts/linux_parser.go`, `ParseMountRaw`):
an absolute source is a bind whose missing directory gets created, anything else is
a named volume, and the mode is a comma list with at most one word of each kind.
docker-py's own `parse_mount_string` (which turns `:z` into read-only) is *not*
the reference: the daemon's behaviour is what the DAGs relied on.
"""

from __future__ import annotations

import re

from ..errors import SpecError, UnsupportedError
from ..models import BindMountSpec, Propagation, VolumeMountSpec

__all__ = ["VOLUME_NAME", "parse_short"]

VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_PROPAGATION: dict[str, Propagation] = {
    p: p for p in ("private", "rprivate", "slave", "rslave", "shared", "rshared")
}
_CONSISTENCY = {"consistent", "cached", "delegated", "default"}
_KINDS = ("access", "selinux", "propagation", "nocopy", "consistency")


def _word_kind(word: str) -> str | None:
    if word in ("ro", "rw"):
        return "access"
    if word in ("z", "Z"):
        return "selinux"
    if word in _PROPAGATION:
        return "propagation"
    if word == "nocopy":
        return "nocopy"
    if word in _CONSISTENCY:
        return "consistency"
    return None


def _parse_mode(mode: str, raw: str, origin: str) -> dict[str, str]:
    seen: dict[str, str] = {}
    for word in mode.split(","):
        kind = _word_kind(word)
        if kind is None:
            raise SpecError(
                f"invalid mode {word!r}: expected ro, rw, z, Z, nocopy, a propagation "
                f"({', '.join(_PROPAGATION)}) or a consistency ({', '.join(sorted(_CONSISTENCY))})",
                spec=raw,
                origin=origin,
            )
        if kind in seen:
            raise SpecError(f"invalid mode {mode!r}: {kind} given twice", spec=raw, origin=origin)
        seen[kind] = word
    return seen


# `C:\x:/t` or `C:/x:/t`; `v:/d` alone is volume `v`, as Docker's Linux parser reads it
_WINDOWS_DRIVE = re.compile(r"^[a-zA-Z]:(\\|/[^:]*:/)")
_NAMED_PIPE = re.compile(r"^(//|\\\\)\.[\\/]pipe[\\/]", re.IGNORECASE)


def _refuse_windows(raw: str, origin: str) -> None:
    """Windows sources, which the Linux parser would misread as a name or a path."""
    if _NAMED_PIPE.match(raw):
        raise UnsupportedError(
            "named pipes (npipe) exist only on Windows hosts; a Linux pod has nothing to mount",
            spec=raw,
            origin=origin,
        )
    drive = _WINDOWS_DRIVE.match(raw)
    if drive or "\\" in raw or raw.startswith("//"):
        where = f"drive {raw[:2]}" if drive else "a Windows path"
        raise SpecError(f"{where} cannot be mounted into a Linux pod", spec=raw, origin=origin)


def _split(raw: str, origin: str) -> list[str]:
    _refuse_windows(raw, origin)
    parts = raw.split(":")
    if len(parts) > 3 or any(p == "" for p in parts):
        raise SpecError(
            "invalid volume specification: expected SOURCE:TARGET[:MODE]",
            spec=raw,
            origin=origin,
        )
    return parts


def parse_short(
    raw: str, *, origin: str = "", relative_ok: bool = False
) -> BindMountSpec | VolumeMountSpec:
    """Parse one `-v` string into a mount model.

    `relative_ok` lets the compose parser keep `./dir` sources (it resolves them
    against the compose file's folder); for DockerOperator they are refused, as the
    Docker Engine API refuses them.
    """
    parts = _split(raw, origin)
    if len(parts) == 1:
        return VolumeMountSpec(target=parts[0], source=None, raw=raw, origin=origin)
    source, target = parts[0], parts[1]
    if not target.startswith("/"):
        raise SpecError(
            f"invalid mount path {target!r}: the target must be absolute", spec=raw, origin=origin
        )
    mode = _parse_mode(parts[2], raw, origin) if len(parts) == 3 else {}
    read_only = mode.get("access") == "ro"
    ignored = tuple(f"{k}={mode[k]}" for k in ("selinux", "consistency") if k in mode)
    if source.startswith("/") or (relative_ok and source.startswith((".", "~"))):
        if "nocopy" in mode:
            raise SpecError(
                "nocopy applies to named volumes, not to a host path", spec=raw, origin=origin
            )
        return BindMountSpec(
            source=source,
            target=target,
            read_only=read_only,
            propagation=_PROPAGATION.get(mode.get("propagation", "")),
            create_host_path=True,
            ignored=ignored,
            raw=raw,
            origin=origin,
        )
    if not VOLUME_NAME.match(source):
        raise SpecError(
            f"{source!r} is neither an absolute host path nor a volume name "
            "(only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed). The Docker Engine API never "
            "resolves relative paths",
            spec=raw,
            origin=origin,
            hint="use an absolute path that a `binds` rule of the storage policy maps to a claim",
        )
    if "propagation" in mode:
        raise SpecError(
            "a propagation mode applies to host paths, not to named volumes",
            spec=raw,
            origin=origin,
        )
    return VolumeMountSpec(
        source=source,
        target=target,
        read_only=read_only,
        no_copy="nocopy" in mode,
        ignored=ignored,
        raw=raw,
        origin=origin,
    )
