"""docker-compose mount syntax: service `volumes`, `tmpfs`, `volumes_from`, `configs`, `secrets`.

Each entry becomes one `models` spec, or one error that names it, so that a single
bad entry never hides the service's other mounts (Kompose drops all of a service's
volumes when one fails to parse). The short syntax is the `-v` grammar of
`parsing.short`; the long syntax follows the compose spec (`05-services.md`).
These functions are pure: file contents arrive already read, in `FileSource`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._redact import redact_quoted
from ..errors import SpecError, UnsupportedError
from ..models import BindMountSpec, FileMountSpec, TmpfsMountSpec, VolumeDecl, VolumeMountSpec
from ..quantity import docker_bytes
from .short import VOLUME_NAME, parse_short

__all__ = [
    "ComposeMount",
    "FileSource",
    "file_key",
    "labels_dict",
    "parse_compose_volume",
    "parse_file_mount",
    "parse_service_tmpfs",
    "parse_tmpfs_entry",
    "parse_volume_declaration",
    "parse_volumes_from",
]

ComposeMount = VolumeMountSpec | BindMountSpec | TmpfsMountSpec
_PROPAGATIONS = ("private", "rprivate", "slave", "rslave", "shared", "rshared")
_SUBKEYS = {
    "volume": {"nocopy", "subpath", "labels"},
    "bind": {"propagation", "create_host_path", "selinux", "recursive"},
    "tmpfs": {"size", "mode"},
}
_UNSUPPORTED_TYPES = {
    "image": "mounts an OCI image's files; the pod `image` volume source needs the "
    "ImageVolume feature gate, so it is not emitted",
    "npipe": "is a Windows named pipe; a Linux pod has nothing to mount",
    "cluster": "is a Swarm cluster (CSI) volume; Kubernetes storage is not reachable through it",
}
_TMPFS_FLAGS = {"exec", "noexec", "suid", "nosuid", "dev", "nodev", "sync", "async"}
_TMPFS_FLAGS |= {"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime"}


@dataclass(frozen=True)
class FileSource:
    """A top-level `configs:`/`secrets:` entry with its content already read.

    `error` says why there is no content (a missing file, an unset variable); the
    mounts that use the entry report it.
    """

    content: bytes | None = None
    external: bool = False
    error: str | None = None


def _flag(value: object, what: str, raw: str, origin: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SpecError(f"{what} must be true or false, not {value!r}", spec=raw, origin=origin)


def _octal(value: object, what: str, raw: str, origin: str) -> int:
    """Compose modes: an int as YAML gives it (`0440` is octal), a string read as octal."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        try:
            return int(value.removeprefix("0o"), 8)
        except ValueError:
            pass
    raise SpecError(f"{what} {value!r} is not an octal file mode", spec=raw, origin=origin)


def _size(value: object, raw: str, origin: str) -> int:
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        raise SpecError(f"tmpfs size {value!r} is not a size", spec=raw, origin=origin)
    try:
        return docker_bytes(value)
    except ValueError as exc:
        raise SpecError(f"tmpfs size: {exc}", spec=raw, origin=origin) from exc


def _section(entry: Mapping[str, Any], key: str, raw: str, origin: str) -> dict[str, Any]:
    value = entry.get(key) or {}
    if not isinstance(value, Mapping):
        raise SpecError(f"{key!r} must be a mapping", spec=raw, origin=origin)
    unknown = sorted(set(value) - _SUBKEYS[key])
    if unknown:
        raise SpecError(f"unknown {key} options {unknown}", spec=raw, origin=origin)
    return dict(value)


def parse_compose_volume(entry: object, *, origin: str = "") -> ComposeMount:
    """Parse one entry of a service's `volumes:` (a short string or a long-syntax mapping).

    Relative bind sources are kept as written; the loader has already made them
    absolute against the compose file's folder.
    """
    if isinstance(entry, str):
        return parse_short(entry, origin=origin, relative_ok=True)
    if not isinstance(entry, Mapping):
        raise SpecError("a volume must be a string or a mapping", spec=entry, origin=origin)
    raw = repr(dict(entry))
    kind = _long_type(entry, raw, origin)
    target = entry.get("target")
    if not isinstance(target, str) or not target.startswith("/"):
        raise SpecError(f"target {target!r} must be an absolute path", spec=raw, origin=origin)
    base: dict[str, Any] = {
        "target": target,
        "read_only": _flag(entry.get("read_only", False), "read_only", raw, origin),
        "raw": raw,
        "origin": origin,
    }
    ignored = [f"consistency={entry['consistency']}"] if entry.get("consistency") else []
    parse = {"volume": _long_volume, "bind": _long_bind, "tmpfs": _long_tmpfs}[kind]
    return parse(entry, base, ignored)


def _long_type(entry: Mapping[str, Any], raw: str, origin: str) -> str:
    """The long syntax's `type`, once the keys are known to fit it."""
    known = {"type", "source", "target", "read_only", "consistency", *_SUBKEYS, "image"}
    unknown = sorted(k for k in set(entry) - known if not str(k).startswith("x-"))
    if unknown:
        raise SpecError(f"unknown volume keys {unknown}", spec=raw, origin=origin)
    kind = entry.get("type")
    if not isinstance(kind, str):
        raise SpecError(f"type {kind!r} is not a mount type", spec=raw, origin=origin)
    if kind in _UNSUPPORTED_TYPES:
        raise UnsupportedError(
            f"type {kind!r} {_UNSUPPORTED_TYPES[kind]}; the service's other mounts are kept",
            spec=raw,
            origin=origin,
        )
    if kind not in ("volume", "bind", "tmpfs"):
        raise SpecError(
            f"type {kind!r} is not a mount type: use volume, bind or tmpfs", spec=raw, origin=origin
        )
    for other in set(_SUBKEYS) - {kind}:
        if entry.get(other):
            raise SpecError(
                f"{other!r} options do not apply to type {kind}", spec=raw, origin=origin
            )
    return str(kind)


def _long_volume(
    entry: Mapping[str, Any], base: dict[str, Any], ignored: list[str]
) -> ComposeMount:
    raw, origin = base["raw"], base["origin"]
    options = _section(entry, "volume", raw, origin)
    source = entry.get("source") or None
    if source is not None and (not isinstance(source, str) or not VOLUME_NAME.match(source)):
        raise SpecError(
            f"volume source {source!r} is not a volume name (use type: bind for host paths)",
            spec=raw,
            origin=origin,
        )
    subpath = options.get("subpath") or None
    if subpath is not None and source is None:
        raise SpecError("volume.subpath needs a named volume", spec=raw, origin=origin)
    if options.get("labels"):
        ignored.append("volume.labels (set labels on the top-level volume)")
    return VolumeMountSpec(
        source=source,
        no_copy=_flag(options.get("nocopy", False), "volume.nocopy", raw, origin),
        subpath=str(subpath) if subpath is not None else None,
        ignored=tuple(ignored),
        **base,
    )


def _long_bind(entry: Mapping[str, Any], base: dict[str, Any], ignored: list[str]) -> ComposeMount:
    raw, origin = base["raw"], base["origin"]
    options = _section(entry, "bind", raw, origin)
    source = entry.get("source")
    if not isinstance(source, str) or not source:
        raise SpecError("a bind mount needs a source path", spec=raw, origin=origin)
    propagation = options.get("propagation")
    if propagation is not None and propagation not in _PROPAGATIONS:
        raise SpecError(
            f"bind.propagation {propagation!r} is not one of {', '.join(_PROPAGATIONS)}",
            spec=raw,
            origin=origin,
        )
    selinux = options.get("selinux")
    if selinux not in (None, "z", "Z"):
        raise SpecError(f"bind.selinux {selinux!r} must be z or Z", spec=raw, origin=origin)
    ignored += [f"{key}={options[key]}" for key in ("selinux", "recursive") if key in options]
    create = options.get("create_host_path", True)
    return BindMountSpec(
        source=source,
        propagation=propagation,
        create_host_path=_flag(create, "bind.create_host_path", raw, origin),
        ignored=tuple(ignored),
        **base,
    )


def _long_tmpfs(entry: Mapping[str, Any], base: dict[str, Any], ignored: list[str]) -> ComposeMount:
    raw, origin = base["raw"], base["origin"]
    if entry.get("source"):
        raise SpecError("a tmpfs mount takes no source", spec=raw, origin=origin)
    options = _section(entry, "tmpfs", raw, origin)
    size = options.get("size")
    mode = options.get("mode")
    return TmpfsMountSpec(
        size_bytes=_size(size, raw, origin) if size is not None else None,
        mode=_octal(mode, "tmpfs.mode", raw, origin) if mode is not None else None,
        ignored=tuple(ignored),
        **base,
    )


def parse_service_tmpfs(value: object, *, origin: str = "") -> list[TmpfsMountSpec]:
    """Service-level `tmpfs:`, a string or a list of `/path[:size=64m,mode=1777,...]`."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise SpecError("tmpfs must be a string or a list", spec=value, origin=origin)
    return [parse_tmpfs_entry(item, origin=f"{origin}[{i}]") for i, item in enumerate(items)]


def parse_tmpfs_entry(item: object, *, origin: str = "") -> TmpfsMountSpec:
    """One service-level tmpfs entry, `/path[:size=64m,mode=1777,uid=...,ro,noexec...]`."""
    if not isinstance(item, str):
        raise SpecError("a tmpfs entry must be a string", spec=item, origin=origin)
    target, _, options = item.partition(":")
    if not target.startswith("/"):
        raise SpecError(f"tmpfs path {target!r} must be absolute", spec=item, origin=origin)
    fields: dict[str, Any] = {"read_only": False, "size_bytes": None, "mode": None}
    ignored: list[str] = []
    for word in filter(None, (w.strip() for w in options.split(","))):
        key, eq, value = word.partition("=")
        if key == "size" and eq:
            fields["size_bytes"] = _size(value, item, origin)
        elif key == "mode" and eq:
            fields["mode"] = _octal(value, "tmpfs mode", item, origin)
        elif key == "ro" and not eq:
            fields["read_only"] = True
        elif key == "rw" and not eq:
            continue
        elif key in ("uid", "gid") or key in _TMPFS_FLAGS:
            ignored.append(word)
        else:
            raise SpecError(f"unknown tmpfs option {word!r}", spec=item, origin=origin)
    return TmpfsMountSpec(target=target, ignored=tuple(ignored), raw=item, origin=origin, **fields)


def parse_volumes_from(entry: object, *, origin: str = "") -> tuple[str, bool | None]:
    """`service[:ro|:rw]` -> (service, read_only); None keeps each mount's own mode."""
    if not isinstance(entry, str) or not entry:
        raise SpecError("a volumes_from entry must be a service name", spec=entry, origin=origin)
    if entry.startswith("container:"):
        raise UnsupportedError(
            "volumes_from a container outside the compose file: there is no such container "
            "on Kubernetes to copy mounts from",
            spec=entry,
            origin=origin,
            hint="declare the shared data as a named volume and mount it in both services",
        )
    service, _, mode = entry.partition(":")
    if mode not in ("", "ro", "rw"):
        raise SpecError(f"volumes_from mode {mode!r} must be ro or rw", spec=entry, origin=origin)
    return service, {"": None, "ro": True, "rw": False}[mode]


def parse_file_mount(
    kind: str, entry: object, sources: Mapping[str, FileSource], *, origin: str = ""
) -> FileMountSpec:
    """One service `configs:`/`secrets:` entry (`kind` is config or secret).

    Targets keep their case. A secret's relative target lives under `/run/secrets/`,
    a config's under `/`.
    """
    long = dict(entry) if isinstance(entry, Mapping) else {"source": entry}
    raw = repr(entry)
    unknown = sorted(set(long) - {"source", "target", "uid", "gid", "mode"})
    source = long.get("source")
    if unknown or not isinstance(source, str) or not source:
        problem = f"unknown keys {unknown}" if unknown else "needs a source name"
        raise SpecError(f"{kind} entry {problem}", spec=raw, origin=origin)
    defined = sources.get(source)
    if defined is None:
        raise SpecError(
            f"{kind} {source!r} is not defined at the top level", spec=raw, origin=origin
        )
    if defined.error is not None:
        raise SpecError(f"{kind} {source!r}: {defined.error}", spec=raw, origin=origin)
    folder = "/run/secrets" if kind == "secret" else "/"
    target = str(long.get("target") or source)
    target = target if target.startswith("/") else posixpath.join(folder, target)
    mode = long.get("mode")
    ignored = tuple(f"{key}={long[key]}" for key in ("uid", "gid") if key in long)
    return FileMountSpec(
        type="config" if kind == "config" else "secret",
        object_name=source,
        key=file_key(source),
        content=defined.content,
        external=defined.external,
        mode=_octal(mode, f"{kind} mode", raw, origin) if mode is not None else None,
        target=target,
        read_only=True,
        ignored=ignored,
        raw=raw,
        origin=origin,
    )


def file_key(name: str) -> str:
    """A ConfigMap/Secret data key (`[-._a-zA-Z0-9]+`) for a compose config/secret name."""
    key = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else "-" for c in name)
    return key if key.strip(".") else f"file{key}"


def parse_volume_declaration(name: str, entry: object, *, origin: str = "") -> VolumeDecl:
    """A top-level `volumes:` entry (driver, driver_opts, external, name, labels).

    Kompose's labels are read from `labels` by the compose package, not here.
    """
    if entry is None:
        return VolumeDecl(name=name)
    if not isinstance(entry, Mapping):
        raise SpecError("a top-level volume must be a mapping", spec=entry, origin=origin)
    quoted = redact_quoted(dict(entry))
    known = {"driver", "driver_opts", "external", "name", "labels"}
    unknown = sorted(k for k in set(entry) - known if not str(k).startswith("x-"))
    if unknown:
        raise SpecError(f"unknown volume keys {unknown}", spec=quoted, origin=origin)
    external = entry.get("external", False)
    claim_name = entry.get("name")
    if isinstance(external, Mapping):  # the deprecated `external: {name: ...}` form
        claim_name = external.get("name", claim_name)
        external = True
    opts = entry.get("driver_opts") or {}
    if not isinstance(opts, Mapping):
        raise SpecError("driver_opts must be a mapping", spec=quoted, origin=origin)
    return VolumeDecl(
        name=name,
        driver=str(entry["driver"]) if entry.get("driver") else None,
        driver_opts={str(k): str(v) for k, v in opts.items()},
        external=_flag(external, "external", repr(quoted), origin),
        claim_name=str(claim_name) if claim_name else None,
        labels=labels_dict(entry.get("labels"), origin=origin),
    )


def labels_dict(value: object, *, origin: str = "") -> dict[str, str]:
    """Compose labels, a mapping or a list of `key=value`, as a dict of strings."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {key: val for key, _, val in pairs}
    raise SpecError("labels must be a mapping or a list of key=value", spec=value, origin=origin)
